from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    COMMITMENT_LETTER = "commitment_letter", _("Commitment letter")
    AUTHORISATION = "authorisation", _("Letter of authorisation")
    QUALIFICATION = "qualification", _("Qualification proof")
    PRICING_BASIS = "pricing_basis", _("Pricing basis")
    HISTORY_CONTRACT = "history_contract", _("Historical contract")
    HISTORY_INVOICE = "history_invoice", _("Historical invoice")
    HISTORY_DELIVERABLE = "history_deliverable", _("Historical deliverable")
    CONTRACT = "contract", _("Service contract")
    INVOICE = "invoice", _("Invoice")
    TRANSFER_PROOF = "transfer_proof", _("Bank-transfer proof")
    CITY_EXTRA = "city_extra", _("Material required by the city")
    APPLICATION_FORM = "application_form", _("Stamped redemption application form")
    SUMMARY_TABLE = "summary_table", _("Stamped usage summary table")
    NOTICE_ATTACHMENT = "notice_attachment", _("Notice attachment")
    OTHER = "other", _("Other")


class Document(models.Model):
    """One version of one material: always a single PDF (several uploaded files are merged in the order the
    user chose). Nothing is deleted by a user action; a replacement is a new row pointing at the old one."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="documents", verbose_name=_("organisation")
    )
    kind = models.CharField(_("material kind"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="materials/%Y/%m/", max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60, default="application/pdf")
    size = models.PositiveIntegerField(_("size in bytes"))
    page_count = models.PositiveIntegerField(_("pages"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    shared_with = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="shared_documents", verbose_name=_("shared with")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # An organisation's materials page in its order: a provider uploads a contract, an invoice and a transfer
        # proof per order, hundreds of thousands in a province's year, which the page would otherwise sort each time.
        indexes = [models.Index(fields=["organisation", "-uploaded_at", "-id"], name="document_list")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "replaced_by")


class Part(models.Model):
    """One uploaded file that went into a document, with its own fingerprint (a photo re-used inside another
    material is found even though the merged PDFs differ)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="parts")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="one_part_per_position")]

    def __str__(self):
        return self.name


class Use(models.Model):
    """A document used for an object of another app (an order's invoice, a product's material set)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="uses")
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    role = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "object_type", "object_id", "role"], name="one_use_per_role")
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.object_type}#{self.object_id}"


class Finding(models.Model):
    """The same content met elsewhere (R15): shown on review screens, never blocks an upload."""

    class Reason(models.TextChoices):
        OTHER_ORGANISATION = "other_organisation", _("The same file was uploaded by another organisation")
        OTHER_OBJECT = "other_object", _("The same file is used for another object of the same type")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="findings")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    other_document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    other_object_id = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reason", "other_document", "object_id", "other_object_id"], name="finding_once"
            )
        ]

    def __str__(self):
        return f"{self.document_id}~{self.other_document_id}"


class UploadDay(models.Model):
    """What one organisation uploaded on one local calendar day (issue 14): the daily volume limit is checked and
    counted here in the upload's transaction, by a conditional update, so concurrent uploads cannot pass it
    together."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    materials = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="one_upload_day_per_organisation")]

    def __str__(self):
        return f"{self.organisation_id} {self.day}"
