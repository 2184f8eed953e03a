from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City, Organisation
from smevoucher.core.models import ChangeRequestBase

# The units' list order: the review queue first (pending, then returned), then the approved. One expression for
# the list's ORDER BY and for its indexes (issue 16), so PostgreSQL reads a page off the index.
REVIEW_ORDER = models.Case(
    models.When(status="pending", then=models.Value(0)),
    models.When(status="returned", then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)


class Size(models.TextChoices):
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017 (国民经济行业分类) that enterprises belong to."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")


# Priority groups (重点支持对象) the seed names; reference data synced after migrate.
PRIORITY_TAGS = [
    ("zjtx", "专精特新", "Specialised, refined, distinctive and innovative"),
    ("xsg", "小升规重点培育", "Key cultivation for scaling up"),
    ("xzgs", "新增规上", "Newly above designated size"),
    ("sfjd", "示范基地", "Demonstration base"),
    ("jcxt", "监测系统企业", "Monitoring-system enterprise"),
]


def sync_priority_tags(using="default"):
    for code, name, name_en in PRIORITY_TAGS:
        PriorityTag.objects.using(using).update_or_create(code=code, defaults={"name": name, "name_en": name_en})


class PriorityTag(models.Model):
    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80)

    class Meta:
        ordering = ["id"]
        verbose_name = _("priority tag")
        verbose_name_plural = _("priority tags")

    def __str__(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name


class Enterprise(models.Model):
    """The enterprise profile of an organisation of kind `enterprise` (R0)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for correction")
        # Issue 15.10: after approval a unit suspends (it cannot claim or order) instead of returning it.
        SUSPENDED = "suspended", pgettext_lazy("enterprise status", "Suspended")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="enterprise", verbose_name=_("organisation")
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("city"))
    size = models.CharField(_("size"), max_length=10, choices=Size.choices)
    industry = models.CharField(_("industry"), max_length=2, choices=Industry.choices)
    legal_representative = models.CharField(_("legal representative"), max_length=60)
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_phone = models.CharField(_("contact telephone"), max_length=40)
    contact_email = models.EmailField(_("contact e-mail"))
    # Issue 17: what the integrity signals compare. The ID number itself is never stored (core.identity).
    legal_rep_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    legal_rep_id_last4 = models.CharField(_("ID number (last 4)"), max_length=4, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    address_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    phone_key = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(_("reasons for return"), blank=True)
    suspension_reason = models.TextField(_("reason for suspension"), blank=True)
    licence = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business licence"),
    )
    priority_tags = models.ManyToManyField(
        PriorityTag, blank=True, related_name="enterprises", verbose_name=_("priority tags")
    )
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        # The units' review queue and the workbench count pending enterprises per city (200k rows province-wide).
        indexes = [
            models.Index(fields=["status", "city"], name="enterprise_status_city"),
            models.Index(REVIEW_ORDER, "created_at", "id", name="enterprise_review_list"),
            models.Index("city", REVIEW_ORDER, "created_at", "id", name="enterprise_city_review_list"),
        ]

    def __str__(self):
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name


class EnterpriseChangeRequest(ChangeRequestBase):
    """Issue 17: an approved enterprise asks its city unit to change what is frozen after approval (name, size,
    industry, legal representative and ID number, registered address, contact); the unit applies or refuses it.
    A change of name, legal representative or registered address is registered on a new business licence first,
    so it comes with the new licence. The credit code and the city never change: another code is another
    enterprise, another city another unit's remit (it signs up there)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="change_requests")
    new_name = models.CharField(_("new enterprise name"), max_length=200, blank=True)
    new_size = models.CharField(_("new size"), max_length=10, choices=Size.choices, blank=True)
    new_industry = models.CharField(_("new industry"), max_length=2, choices=Industry.choices, blank=True)
    new_legal_representative = models.CharField(_("new legal representative"), max_length=60, blank=True)
    new_legal_rep_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    new_legal_rep_id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    new_registered_address = models.CharField(_("new registered address"), max_length=200, blank=True)
    new_contact_name = models.CharField(_("new contact person"), max_length=60, blank=True)
    new_contact_phone = models.CharField(_("new contact telephone"), max_length=40, blank=True)
    new_contact_email = models.EmailField(_("new contact e-mail"), blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    licence = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new business licence"),
    )
    old_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enterprise change request")
        verbose_name_plural = _("enterprise change requests")
        constraints = [
            # One open request at a time per enterprise: two cannot race to change the same profile.
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(status="pending"), name="one_open_enterprise_change_request"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="enterprise_change_queue")]

    def __str__(self):
        return f"{self.enterprise} #{self.pk}"

    # The fields an enterprise may change, in the order a reviewer reads them.
    FIELDS = (
        "name",
        "size",
        "industry",
        "legal_representative",
        "legal_rep_id_hash",
        "registered_address",
        "contact_name",
        "contact_phone",
        "contact_email",
    )

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for each requested change; an ID number only ever as its last 4 characters."""
        labels = {
            "name": _("Enterprise name"),
            "size": _("Enterprise size"),
            "industry": _("Industry"),
            "legal_representative": _("Legal representative"),
            "legal_rep_id_hash": _("Legal representative's ID number"),
            "registered_address": _("Registered address"),
            "contact_name": _("Contact person"),
            "contact_phone": _("Contact telephone"),
            "contact_email": _("Contact e-mail"),
        }
        displays = {"size": dict(Size.choices), "industry": dict(Industry.choices)}
        rows = []
        for field in self.FIELDS:
            new = getattr(self, f"new_{field}")
            if not new:
                continue
            old = self.old_values.get(field, "")
            if field == "legal_rep_id_hash":  # old_values keeps the old number's last 4 characters, never a hash
                old = self.old_values.get("legal_rep_id_last4", "")
                old, new = (f"****{old}" if old else ""), f"****{self.new_legal_rep_id_last4}"
            elif field in displays:
                old, new = displays[field].get(old, old), displays[field].get(new, new)
            rows.append((labels[field], old, new))
        return rows
