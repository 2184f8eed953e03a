"""Orders (DESIGN §2 steps 3–8): one lifecycle from the enterprise's order to the provider's receipt of the
vouchers, with the contract, the payment submissions, refunds (R12) and each city's extra materials.

Money is integer fen. The order keeps the revision, tier and price it was placed on; its vouchers sit in the
order's escrow account of the vouchers ledger (keyed by the order's id).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("Placed, waiting for the provider")
        CONFIRMED = "confirmed", _("Confirmed, waiting for the contract")
        CONTRACT_UPLOADED = "contract_uploaded", _("Contract uploaded")
        CONTRACT_RETURNED = "contract_returned", _("Contract returned")
        CONTRACT_CONFIRMED = "contract_confirmed", _("Contract confirmed")
        COMPLETED = "completed", _("Service completed")
        PAYMENT_SUBMITTED = "payment_submitted", _("Payment submitted")
        PAYMENT_REJECTED = "payment_rejected", _("Payment rejected")
        PAYMENT_CONFIRMED = "payment_confirmed", _("Vouchers received")
        REFUNDED = "refunded", _("Payment refunded")
        DECLINED = "declined", _("Declined by the provider")
        CANCELLED = "cancelled", _("Cancelled by the enterprise")
        RECLAIMED = "reclaimed", _("Vouchers reclaimed")

    S = Status
    # The allowed transitions; each has one named service in services.py.
    # CANCELLED after the contract stage only when the provider may no longer receive vouchers (issue 15.3).
    TRANSITIONS = {
        S.PLACED: {S.CONFIRMED, S.DECLINED, S.CANCELLED, S.RECLAIMED},
        S.CONFIRMED: {S.CONTRACT_UPLOADED, S.CANCELLED, S.RECLAIMED},
        S.CONTRACT_UPLOADED: {S.CONTRACT_CONFIRMED, S.CONTRACT_RETURNED, S.CANCELLED},
        S.CONTRACT_RETURNED: {S.CONTRACT_UPLOADED, S.CANCELLED, S.RECLAIMED},
        S.CONTRACT_CONFIRMED: {S.COMPLETED, S.CANCELLED, S.RECLAIMED},
        S.COMPLETED: {S.PAYMENT_SUBMITTED, S.CANCELLED, S.RECLAIMED},
        S.PAYMENT_SUBMITTED: {S.PAYMENT_CONFIRMED, S.PAYMENT_REJECTED, S.CANCELLED},
        S.PAYMENT_REJECTED: {S.PAYMENT_SUBMITTED, S.CANCELLED, S.RECLAIMED},
        S.PAYMENT_CONFIRMED: {S.REFUNDED},
        S.REFUNDED: set(),
        S.DECLINED: set(),
        S.CANCELLED: set(),
        S.RECLAIMED: set(),
    }
    # Orders whose contract is still missing: cancelled and reclaimed after the R9 deadline.
    WITHOUT_CONTRACT = (S.PLACED, S.CONFIRMED, S.CONTRACT_RETURNED)
    # Orders holding vouchers in escrow that an R10 expiry reclaims when no payment was submitted in time.
    UNPAID = (S.PLACED, S.CONFIRMED, S.CONTRACT_UPLOADED, S.CONTRACT_RETURNED, S.CONTRACT_CONFIRMED, S.COMPLETED)
    # Orders still holding vouchers in escrow, which the enterprise may cancel once the provider may no longer
    # receive vouchers (issue 15.3).
    OPEN = (*UNPAID, S.PAYMENT_SUBMITTED, S.PAYMENT_REJECTED)
    # The cap (R7) holds a reservation for the order in these states.
    RESERVING = (
        S.CONFIRMED,
        S.CONTRACT_UPLOADED,
        S.CONTRACT_RETURNED,
        S.CONTRACT_CONFIRMED,
        S.COMPLETED,
        S.PAYMENT_SUBMITTED,
        S.PAYMENT_REJECTED,
    )

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="orders", verbose_name=_("enterprise")
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="orders", verbose_name=_("service provider")
    )
    product = models.ForeignKey("catalogue.Product", on_delete=models.PROTECT, related_name="orders")
    revision = models.ForeignKey("catalogue.ProductRevision", on_delete=models.PROTECT, related_name="orders")
    tier = models.ForeignKey("catalogue.ProductTier", on_delete=models.PROTECT, related_name="orders")
    product_name = models.CharField(_("product name"), max_length=100)
    # Issue 16: the two parties' current names, so an order search reads the order's own columns (one trigram
    # index each) at any breadth instead of joining; kept in step when a name changes (services/party_names.py).
    enterprise_name = models.CharField(_("enterprise name"), max_length=200, default="")
    provider_name = models.CharField(_("service provider name"), max_length=200, default="")
    # What the order list's search reads: the three names upper-cased once, when written, in one column with one
    # trigram index (issue 16). Comparing three columns through UPPER() was most of a search's time at 1M orders.
    # The line break keeps a search from matching across two names.
    search_text = models.GeneratedField(
        expression=Upper(Concat("product_name", Value("\n"), "enterprise_name", Value("\n"), "provider_name")),
        output_field=models.TextField(),
        db_persist=True,
    )
    tier_name = models.CharField(_("tier"), max_length=100, blank=True)
    price_fen = models.BigIntegerField(_("price (fen)"))
    batch = models.ForeignKey(
        "vouchers.Batch", on_delete=models.PROTECT, related_name="orders", verbose_name=_("batch")
    )
    # The batch's city (the enterprise's own: an order takes vouchers of its city's batches), kept on the order so a
    # city unit's lists read one index in their order at any volume (issue 16).
    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    expected_voucher_fen = models.BigIntegerField(_("expected voucher amount (fen)"))
    # R9: the contract must be uploaded by this moment (the wallet's deadline when the order was placed).
    contract_due = models.DateTimeField(_("contract due by"))
    reserved_fen = models.BigIntegerField(_("cap reserved (fen)"), default=0)
    voucher_fen = models.BigIntegerField(_("vouchers received (fen)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLACED)
    note = models.TextField(_("note to the provider"), blank=True)
    contract = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contract_return_reason = models.TextField(_("reason for returning the contract"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    completed_on = models.DateField(_("service completed on"), null=True, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("placed"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    contract_uploaded_at = models.DateTimeField(_("contract uploaded"), null=True, blank=True)
    contract_confirmed_at = models.DateTimeField(_("contract confirmed"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    payment_confirmed_at = models.DateTimeField(_("vouchers received at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="order_price_positive"),
            models.CheckConstraint(
                condition=Q(expected_voucher_fen__gt=0) & Q(expected_voucher_fen__lte=models.F("price_fen")),
                name="order_expected_within_price",
            ),
            models.CheckConstraint(
                condition=Q(voucher_fen__gte=0) & Q(voucher_fen__lte=models.F("expected_voucher_fen")),
                name="order_actual_within_expected",
            ),
            models.CheckConstraint(condition=Q(reserved_fen__gte=0), name="order_reserved_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "batch"]),
            # Issue 16: each role's order list in its order, also filtered by status (see orders_visible_to).
            models.Index(fields=["enterprise", "-placed_at", "-id"], name="order_enterprise_list"),
            models.Index(fields=["provider", "-placed_at", "-id"], name="order_provider_list"),
            models.Index(fields=["-placed_at", "-id"], name="order_list"),
            models.Index(fields=["city", "-placed_at", "-id"], name="order_city_list"),
            models.Index(fields=["city", "status", "-placed_at", "-id"], name="order_city_status_list"),
            # With the columns a city unit's visibility tests, so its status filter reads the index only.
            models.Index(
                fields=["status", "-placed_at", "-id"], name="order_status_list", include=["enterprise", "batch"]
            ),
            models.Index(fields=["provider", "status", "-payment_confirmed_at", "-id"], name="order_provider_receipts"),
            # The provider's to-do cards: the nearest contract deadline of its orders in a status (workbench).
            models.Index(fields=["provider", "status", "contract_due"], name="order_provider_due"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.product_name}"

    @property
    def number(self) -> str:
        return f"D{self.pk:08d}"

    def may_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class Payment(models.Model):
    """One payment submission of an order (R11); a rejected one stays as history and a new one is submitted."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the provider's check")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    invoice_number = models.CharField(_("invoice number"), max_length=40, db_index=True)
    invoice_date = models.DateField(_("invoice date"))
    invoice_fen = models.BigIntegerField(_("invoice amount (fen)"))
    own_share_fen = models.BigIntegerField(_("own share paid by bank transfer (fen)"))
    voucher_fen = models.BigIntegerField(_("voucher amount (fen)"))
    invoice = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    # Issue 17: the account the enterprise's own share was paid from, as on the transfer proof.
    payer_account = models.CharField(_("payer account"), max_length=40, blank=True)
    payer_account_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    transfer_proof = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reject_reason = models.TextField(_("reasons for rejection"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice_fen=models.F("own_share_fen") + models.F("voucher_fen")),
                name="payment_invoice_is_share_plus_vouchers",
            ),
            models.CheckConstraint(
                condition=Q(voucher_fen__gt=0) & Q(own_share_fen__gte=0), name="payment_amounts_positive"
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(status__in=["submitted", "confirmed"]), name="one_live_payment"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}:{self.invoice_number}"


class PaymentMaterial(models.Model):
    """A material the city requires with payments (CityMaterial), as submitted with one payment."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=100)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class CityMaterial(models.Model):
    """A material a city requires besides the standard ones, per purpose (payment here; redemption reuses it).
    Each city's unit keeps its own list and says what each material is and why it is needed, with an optional
    template file (kept in private storage and served by a view; the requirements are public)."""

    class Purpose(models.TextChoices):
        PAYMENT = "payment", _("With a voucher payment")
        REDEMPTION = "redemption", _("With a redemption application")

    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    name = models.CharField(_("material"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("what it is"), blank=True)
    reason = models.TextField(_("why it is needed"), blank=True)
    template = models.FileField(_("template"), upload_to="city-materials/%Y/", max_length=200, blank=True)
    template_name = models.CharField(_("template file name"), max_length=200, blank=True)

    class Meta:
        ordering = ["city", "purpose", "position", "id"]
        verbose_name = _("material required by a city")
        verbose_name_plural = _("materials required by cities")
        constraints = [models.UniqueConstraint(fields=["city", "purpose", "name"], name="one_city_material_name")]

    def __str__(self):
        return self.name


class ReceiptTotal(models.Model):
    """Issue 16: one provider's paid orders (status payment confirmed) of one batch, counted with their expected and
    actual voucher amounts. Kept in the same transaction by the two services that move an order into or out of that
    status (`payment_confirm` +1, `refund_approve` -1); the provider's receipts page reads its totals here, a row per
    batch, instead of adding up every paid order (a third of a second at a province's volume). The row is taken
    after the provider's cap row, which the same services already lock, so it serialises nothing new.
    `orders.selectors.receipt_totals_mismatches` reconciles it with the orders; `receipt_totals_rebuild` recomputes
    it after a bulk load."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey("vouchers.Batch", on_delete=models.CASCADE, related_name="+")
    orders = models.IntegerField(default=0)
    expected_fen = models.BigIntegerField(default=0)
    actual_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "batch"], name="one_receipt_total"),
            models.CheckConstraint(
                condition=Q(orders__gte=0) & Q(expected_fen__gte=0) & Q(actual_fen__gte=0),
                name="receipt_total_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.provider_id}:{self.batch_id}"


class RefundRequest(models.Model):
    """R12: the provider asks the enterprise's city unit to return a confirmed payment's vouchers."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the city unit")
        APPROVED = "approved", _("Approved, vouchers returned")
        REFUSED = "refused", pgettext_lazy("refund status", "Refused")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refund_requests")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decision_note = models.TextField(_("reasons for refusal"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["order"], condition=Q(status__in=["requested", "approved"]), name="one_live_refund"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}:{self.status}"


class OrderReminder(models.Model):
    """R14: a reminder that was sent for an order (the contract deadline to both sides, the vouchers' expiry to the
    provider), so the job never sends it twice."""

    class Deadline(models.TextChoices):
        CONTRACT = "contract", _("Contract deadline")
        EXPIRY = "expiry", _("Voucher expiry")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.CharField(max_length=8, choices=Deadline.choices, default=Deadline.CONTRACT)
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "deadline", "days_before"], name="one_order_reminder_each_kind")
        ]

    def __str__(self):
        return f"{self.order_id} -{self.days_before}"
