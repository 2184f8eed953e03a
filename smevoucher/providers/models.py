from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City, Organisation
from smevoucher.core.models import ChangeRequestBase
from smevoucher.directory.models import Entry, Level


class Provider(models.Model):
    """A registered service provider: one directory entry registers at most once (R1), by the database's
    unique constraints on the entry and on the compared name."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Pending review")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="provider", verbose_name=_("organisation")
    )
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, related_name="provider", verbose_name=_("directory entry")
    )
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60)
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_phone = models.CharField(_("contact telephone"), max_length=40)
    contact_email = models.EmailField(_("contact e-mail"))
    address = models.CharField(_("postal address"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=100)
    bank_account_name = models.CharField(_("account name"), max_length=200)
    bank_account = models.CharField(_("bank account number"), max_length=40)
    # Issue 17: what the integrity signals compare. The ID number itself is never stored (core.identity).
    legal_rep_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    legal_rep_id_last4 = models.CharField(_("ID number (last 4)"), max_length=4, blank=True)
    address_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    phone_key = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    bank_account_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    commitment_date = models.DateField(_("date of the commitment letter"))
    licence = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("business licence")
    )
    commitment_letter = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("commitment letter")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_note = models.TextField(_("reasons for return"), blank=True)
    checklist = models.JSONField(_("review checklist"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # Manual 三: the last day of the current suspension (the open Suspension's `until`); a date, so the
    # suspension ends by itself at the next midnight without a job, and the catalogue can filter on it.
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "returned", "approved"]), name="provider_status_known"
            ),
        ]

    def __str__(self):
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name


class ChangeRequest(ChangeRequestBase):
    """R4: an approved provider asks its reviewing unit to change its name, user name or contact, with
    scanned proof; the unit applies or refuses it."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="change_requests")
    new_name = models.CharField(_("new full name"), max_length=200, blank=True)
    new_username = models.CharField(_("new user name"), max_length=150, blank=True)
    new_contact_name = models.CharField(_("new contact person"), max_length=60, blank=True)
    new_contact_phone = models.CharField(_("new contact telephone"), max_length=40, blank=True)
    new_contact_email = models.EmailField(_("new contact e-mail"), blank=True)
    # Issue 17: what is frozen after approval and compared by the integrity signals changes only this way.
    new_legal_representative = models.CharField(_("new legal representative"), max_length=60, blank=True)
    new_legal_rep_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    new_legal_rep_id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    new_address = models.CharField(_("new address"), max_length=200, blank=True)
    new_bank_name = models.CharField(_("new bank"), max_length=100, blank=True)
    new_bank_account_name = models.CharField(_("new account name"), max_length=200, blank=True)
    new_bank_account = models.CharField(_("new bank account number"), max_length=40, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    proof = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("proof"))
    old_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            # One open request at a time per provider, so two cannot race to change the same thing.
            models.UniqueConstraint(fields=["provider"], condition=Q(status="pending"), name="one_open_change_request")
        ]

    def __str__(self):
        return f"{self.provider} #{self.pk}"

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for each requested change."""
        labels = {
            "name": _("Full name"),
            "username": _("User name"),
            "contact_name": _("Contact person"),
            "contact_phone": _("Contact telephone"),
            "contact_email": _("Contact e-mail"),
            "legal_representative": _("Legal representative"),
            "legal_rep_id_hash": _("Legal representative's ID number"),
            "address": _("Address"),
            "bank_name": _("Bank"),
            "bank_account_name": _("Account name"),
            "bank_account": _("Bank account number"),
        }
        rows = []
        for field, label in labels.items():
            new = getattr(self, f"new_{field}")
            if new and field == "legal_rep_id_hash":  # only the last 4 characters are ever shown
                rows.append((label, "", f"****{self.new_legal_rep_id_last4}"))
            elif new:
                rows.append((label, self.old_values.get(field, ""), new))
        return rows


class Suspension(models.Model):
    """Manual 三: a unit suspends a provider for a period with a reason. The rows are its violations record;
    the open one (not lifted) sets `Provider.suspended_until`."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="suspensions")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    reason = models.TextField(_("reason"))
    until = models.DateField(_("suspended until"))
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("suspended"))
    lifted_at = models.DateTimeField(_("reinstated"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(_("reason for reinstatement"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            # One open suspension at a time: a second one while suspended is refused, not stacked.
            models.UniqueConstraint(
                fields=["provider"], condition=Q(lifted_at__isnull=True), name="one_open_suspension"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.created_at:%Y-%m-%d}–{self.until}"


class LetterRenewal(models.Model):
    """R3 each year: an approved provider uploads a commitment letter dated in the current year; the unit that
    reviews the provider (R4) approves it (it becomes the provider's letter) or returns it with reasons."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Pending review")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="letter_renewals", verbose_name=_("service provider")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    commitment_date = models.DateField(_("date of the commitment letter"))
    letter = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("commitment letter")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_note = models.TextField(_("reasons for return"), blank=True)
    checklist = models.JSONField(_("review checklist"), default=dict, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("commitment letter renewal")
        verbose_name_plural = _("commitment letter renewals")
        constraints = [
            # One letter under review at a time, so two uploads cannot race.
            models.UniqueConstraint(
                fields=["provider"], condition=Q(status="submitted"), name="one_letter_renewal_under_review"
            ),
        ]

    def __str__(self):
        return f"{self.provider_id}:{self.year}:{self.status}"


class LetterReminder(models.Model):
    """A commitment-letter reminder sent to a provider for a year (in December ahead of it, and once it has begun),
    so the job never sends it twice."""

    class Stage(models.TextChoices):
        AHEAD = "ahead", _("Before the year")
        DUE = "due", _("The year has begun")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=5, choices=Stage.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "year", "stage"], name="one_letter_reminder_each"),
        ]

    def __str__(self):
        return f"{self.provider_id}:{self.year}:{self.stage}"
