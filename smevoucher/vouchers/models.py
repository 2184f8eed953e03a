"""Batches, claims and the voucher ledger (R6, R8, R10, DESIGN §4).

Money is integer fen; the ledger (LedgerTransaction + LedgerEntry) is append-only and the truth, and
LedgerAccount.balance_fen is a cache updated in the same database transaction (`verify_ledger` checks it).
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smevoucher.core import clock
from smevoucher.core.models import AppendOnly

DEFAULT_ANNUAL_QUOTA_FEN = 2_000_000  # ¥20,000 (R6)
# The policy numbers' defaults (R19), in force until the province saves its own for a year (PolicySetting).
DEFAULT_CAP_BP = 1000  # R7: 10 % of the issuing city's total for the year
DEFAULT_ORDER_DEADLINE_DAYS = 30  # R8
DEFAULT_CONTRACT_DEADLINE_DAYS = 30  # R9
DEFAULT_COVERAGE_LIMIT_BP = 5000  # R11: 50 % of the invoice


class QuotaSetting(models.Model):
    """A city's annual claim quota per enterprise for one year (R6) and whether R8/R9 reclaims give it back."""

    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    year = models.PositiveSmallIntegerField(_("year"))
    annual_quota_fen = models.BigIntegerField(_("annual quota per enterprise (fen)"), default=DEFAULT_ANNUAL_QUOTA_FEN)
    reclaim_gives_back_quota = models.BooleanField(_("reclaims under R8/R9 give the quota back"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("annual quota")
        verbose_name_plural = _("annual quotas")
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="one_quota_per_city_year"),
            models.CheckConstraint(condition=Q(annual_quota_fen__gte=0), name="quota_not_negative"),
        ]

    def __str__(self):
        return f"{self.city} {self.year}"


class PolicySetting(AppendOnly):
    """R19: one version of the policy numbers for a year, set by the province for every city (city empty) or
    for one city whose own notice differs. A change adds a row: the newest row for (city, year) is in force,
    the older ones are its history. Read them through `services.policy_for`."""

    city = models.ForeignKey(
        "accounts.City", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("city")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    cap_bp = models.PositiveIntegerField(_("provider cap (basis points of the city's total)"))
    order_deadline_days = models.PositiveSmallIntegerField(_("days to order after the claim window"))
    contract_deadline_days = models.PositiveSmallIntegerField(_("days to upload the contract after the claim window"))
    coverage_limit_bp = models.PositiveIntegerField(_("coverage limit per contract (basis points)"))
    reason = models.CharField(_("reason"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        ordering = ["-year", "city_id", "-set_at", "-id"]
        verbose_name = _("policy setting")
        verbose_name_plural = _("policy settings")
        indexes = [models.Index(fields=["year", "city", "-set_at"], name="policy_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(cap_bp__gt=0) & Q(cap_bp__lte=10000), name="policy_cap_bp"),
            models.CheckConstraint(
                condition=Q(coverage_limit_bp__gt=0) & Q(coverage_limit_bp__lte=10000), name="policy_coverage_bp"
            ),
            models.CheckConstraint(
                condition=Q(order_deadline_days__gt=0) & Q(contract_deadline_days__gt=0), name="policy_days_positive"
            ),
        ]

    def __str__(self):
        return f"{self.city or '-'} {self.year}"


class Batch(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for claims")
        ALLOCATED = "allocated", _("Allocated")
        CLOSED = "closed", _("Closed")

    # The allowed transitions; each has one named service.
    TRANSITIONS = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.ALLOCATED},
        Status.ALLOCATED: {Status.CLOSED},
        Status.CLOSED: set(),
    }

    city = models.ForeignKey(
        "accounts.City", on_delete=models.PROTECT, related_name="voucher_batches", verbose_name=_("city")
    )
    name = models.CharField(_("batch name"), max_length=120)
    total_fen = models.BigIntegerField(_("total amount (fen)"))
    claim_start = models.DateTimeField(_("claim window opens"))
    claim_end = models.DateTimeField(_("claim window closes"))
    # The quota year (R6): the local year in which the claim window opens; kept in step by the services.
    year = models.PositiveSmallIntegerField(_("quota year"))
    service_start = models.DateField(_("qualifying service period from"))
    service_end = models.DateField(_("qualifying service period until"))
    validity_end = models.DateField(_("valid until"))
    coverage_limit_bp = models.PositiveIntegerField(
        _("coverage limit per contract (basis points)"), default=DEFAULT_COVERAGE_LIMIT_BP
    )
    partial_last = models.BooleanField(_("the last claim may receive a partial amount"), default=True)
    # R19: the policy in force for the city and year, copied when the batch is drafted and again when it opens;
    # from then on the batch keeps them whatever the province changes later.
    cap_bp = models.PositiveIntegerField(_("provider cap (basis points of the city's total)"), default=DEFAULT_CAP_BP)
    order_deadline_days = models.PositiveSmallIntegerField(
        _("days to order after the claim window"), default=DEFAULT_ORDER_DEADLINE_DAYS
    )
    contract_deadline_days = models.PositiveSmallIntegerField(
        _("days to upload the contract after the claim window"), default=DEFAULT_CONTRACT_DEADLINE_DAYS
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-claim_start", "-id"]
        verbose_name = _("voucher batch")
        verbose_name_plural = _("voucher batches")
        constraints = [
            models.CheckConstraint(condition=Q(total_fen__gt=0), name="batch_total_positive"),
            models.CheckConstraint(condition=Q(claim_end__gt=models.F("claim_start")), name="batch_window_order"),
            models.CheckConstraint(
                condition=Q(coverage_limit_bp__gt=0) & Q(coverage_limit_bp__lte=10000), name="batch_coverage_bp"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def order_deadline(self) -> datetime:
        """R8: 23:59:59 local time of the batch's nth day (30 by default) after the window's end date (R14)."""
        return clock.deadline_after(self.claim_end, self.order_deadline_days)

    @property
    def contract_deadline(self) -> datetime:
        """R9: likewise with the batch's contract deadline days."""
        return clock.deadline_after(self.claim_end, self.contract_deadline_days)

    @property
    def expires_at(self) -> datetime:
        """R10: the last moment of the validity end date (local time)."""
        return clock.end_of_day(self.validity_end)

    def window_state(self, at: datetime | None = None) -> str:
        at = at or clock.now()
        if self.status != self.Status.OPEN:
            return "none"
        if at < self.claim_start:
            return "before"
        return "open" if at < self.claim_end else "ended"

    def coverage_limit_fen(self, invoice_fen: int) -> int:
        """R11: the most vouchers one contract may use, rounded down to the fen (the one rounding rule)."""
        return invoice_fen * self.coverage_limit_bp // 10000


class Claim(models.Model):
    """One enterprise's request in one batch (R6). The database guarantees one per (enterprise, batch)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PARTIAL = "partial", _("Partly allocated")
        ALLOCATED = "allocated", _("Allocated")
        UNSUCCESSFUL = "unsuccessful", _("Not allocated")

    # No index of their own: claim_batch_queue leads with the batch, the unique constraint with the enterprise.
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="claims", verbose_name=_("batch"), db_index=False
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="voucher_claims",
        verbose_name=_("enterprise"),
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("quota year"))
    amount_fen = models.BigIntegerField(_("amount requested (fen)"))
    allocated_fen = models.BigIntegerField(_("amount allocated (fen)"), default=0)
    # What counts against the annual quota now: the request while it may still be (back)filled, the allocation
    # once the batch is closed, less what R8/R9 reclaims gave back.
    quota_fen = models.BigIntegerField(_("counted against the quota (fen)"))
    quota_returned_fen = models.BigIntegerField(_("quota given back by reclaims (fen)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    priority = models.BooleanField(_("priority enterprise"), default=False)
    submitted_at = models.DateTimeField(_("submitted"))
    order_deadline = models.DateTimeField(_("order deadline"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("submitted by")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "batch"], name="one_claim_per_enterprise_batch"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated_fen__gte=0) & Q(allocated_fen__lte=models.F("amount_fen")),
                name="claim_allocation_within_request",
            ),
            models.CheckConstraint(condition=Q(quota_fen__gte=0), name="claim_quota_not_negative"),
        ]
        indexes = [
            models.Index(fields=["enterprise", "year"]),
            models.Index(fields=["batch", "-priority", "id"], name="claim_batch_queue"),  # issue 16: claims_of_batch
        ]

    def __str__(self):
        return f"{self.batch} · {self.enterprise}"


class LedgerAccount(models.Model):
    """One account of one batch (DESIGN §4). balance = opening + the sum of its entries; only the pool opens
    with a balance (the batch total) and no balance is ever negative."""

    class Kind(models.TextChoices):
        POOL = "pool", _("Pool")
        WALLET = "wallet", _("Enterprise wallet")
        ESCROW = "escrow", _("Order escrow")
        PROVIDER = "provider", _("Provider received")
        REDEEMED = "redeemed", _("Redeemed")
        RECLAIMED = "reclaimed", _("Reclaimed")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("batch"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order_id = models.BigIntegerField(_("order"), null=True, blank=True)  # orders app (issue 8); no FK backwards
    opening_fen = models.BigIntegerField(_("opening balance (fen)"), default=0)
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)
    # R10: the enterprise submitted the payment for this escrow before the validity end.
    payment_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="ledger_balance_not_negative"),
            models.UniqueConstraint(
                fields=["batch", "kind"],
                condition=Q(kind__in=["pool", "redeemed", "reclaimed"]),
                name="one_batch_level_account",
            ),
            models.UniqueConstraint(fields=["batch", "enterprise"], condition=Q(kind="wallet"), name="one_wallet"),
            models.UniqueConstraint(fields=["batch", "order_id"], condition=Q(kind="escrow"), name="one_escrow"),
            models.UniqueConstraint(
                fields=["batch", "provider"], condition=Q(kind="provider"), name="one_provider_account"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["wallet", "escrow"]) | Q(enterprise__isnull=False), name="wallet_has_enterprise"
            ),
            models.CheckConstraint(condition=~Q(kind="escrow") | Q(order_id__isnull=False), name="escrow_has_order"),
            models.CheckConstraint(condition=~Q(kind="provider") | Q(provider__isnull=False), name="provider_has_org"),
            models.CheckConstraint(condition=Q(kind="pool") | Q(opening_fen=0), name="only_pool_opens"),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.kind}:{self.enterprise_id or self.provider_id or self.order_id or ''}"


class LedgerTransaction(AppendOnly):
    """One balanced movement: its entries sum to zero. Append-only."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation")
        BACKFILL = "backfill", _("Backfill allocation")
        EARMARK = "earmark", _("Earmarked for an order")
        RELEASE = "release", _("Released from an order")
        PAYMENT = "payment", _("Payment to the provider")
        REFUND = "refund", _("Refund to the enterprise")
        REDEMPTION = "redemption", _("Redemption")
        RECLAIM_UNUSED = "reclaim_r8", _("Reclaim: not used in an order by the order deadline")
        RECLAIM_NO_CONTRACT = "reclaim_r9", _("Reclaim: no contract by the contract deadline")
        RECLAIM_EXPIRED = "reclaim_r10", _("Reclaim: expired")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="transactions", verbose_name=_("batch"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.pk} {self.kind}"


class LedgerEntry(AppendOnly):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount_fen=0), name="entry_not_zero")]

    def __str__(self):
        return f"{self.account} {self.amount_fen:+d}"


class ReminderSent(models.Model):
    """R14: a reminder that was sent, so send_reminders never sends it twice."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.CharField(max_length=20)  # "order" (R8) or "expiry" (R10)
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "deadline", "days_before"], name="one_reminder_each"),
        ]

    def __str__(self):
        return f"{self.claim_id} {self.deadline} -{self.days_before}"


class CapUsage(models.Model):
    """R7: one provider's use of its cap in one issuing city and year. `reserved_fen` holds the expected amounts
    of confirmed orders not yet paid, `received_fen` the confirmed payments (less refunds). Every change is a
    conditional UPDATE (services/caps.py); the CheckConstraint is the backstop: used never passes the cap."""

    provider = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    year = models.PositiveSmallIntegerField(_("year"))
    cap_fen = models.BigIntegerField(_("cap (fen)"), default=0)
    reserved_fen = models.BigIntegerField(_("reserved by confirmed orders (fen)"), default=0)
    received_fen = models.BigIntegerField(_("received (fen)"), default=0)

    class Meta:
        verbose_name = _("provider cap use")
        verbose_name_plural = _("provider cap use")
        constraints = [
            models.UniqueConstraint(fields=["provider", "city", "year"], name="one_cap_row"),
            models.CheckConstraint(
                condition=Q(reserved_fen__gte=0) & Q(received_fen__gte=0), name="cap_use_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cap_fen__gte=models.F("reserved_fen") + models.F("received_fen")), name="cap_not_passed"
            ),
        ]

    def __str__(self):
        return f"{self.provider_id}:{self.city_id}:{self.year}"

    @property
    def used_fen(self) -> int:
        return self.reserved_fen + self.received_fen
