"""Service products (flow step 2, R5): a Product is the provider's product identity; every version of its
content is a ProductRevision. An approved revision and its tiers never change (orders keep the revision, tier and
price they were placed on): the services never write them, and database triggers refuse it (migration 0002)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City
from smevoucher.enterprises.models import Industry, Size
from smevoucher.providers.models import Provider


class Category(models.TextChoices):
    INFO_QUERY = "info_query", _("Information query and download")
    ONLINE_CONSULTING = "online_consulting", _("Personalised online consulting")
    REPORT_CONSULTING = "report_consulting", _("Special report or special consulting")
    ROUTINE = "routine", _("Routine service")
    INFO_SYSTEM = "info_system", _("Information-system building")
    INFO_APPLICATION = "info_application", _("Information-application service")
    IP_AGENCY = "ip_agency", _("Intellectual-property agency")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other service")


class Product(models.Model):
    """The product as the catalogue knows it: which revision is published, and whether a unit took it down."""

    class Status(models.TextChoices):
        UNPUBLISHED = "unpublished", _("Not yet published")
        PUBLISHED = "published", _("Listed in the catalogue")
        TAKEN_DOWN = "taken_down", _("Taken down")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="products", verbose_name=_("service provider")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNPUBLISHED)
    published_revision = models.OneToOneField(
        "ProductRevision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_as",
        verbose_name=_("published revision"),
    )
    creation_token = models.CharField(max_length=40, blank=True, editable=False)  # a repeated "save" finds it made
    take_down_reason = models.TextField(_("reason for taking down"), blank=True)
    taken_down_at = models.DateTimeField(_("taken down"), null=True, blank=True)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The enterprises' ratings (feedback app), summed in the rating's own transaction so the catalogue shows
    # the average without reading every rating.
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service product")
        verbose_name_plural = _("service products")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["unpublished", "published", "taken_down"]), name="product_status_known"
            ),
            models.UniqueConstraint(
                fields=["provider", "creation_token"], condition=~Q(creation_token=""), name="product_created_once"
            ),
            # Published means: an approved revision is in the catalogue.
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_revision__isnull=False),
                name="published_product_has_revision",
            ),
        ]

    def __str__(self):
        revision = self.published_revision or self.revisions.order_by("-number").first()
        return revision.name if revision else f"#{self.pk}"

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_total / self.rating_count, 1) if self.rating_count else None


class ProductRevision(models.Model):
    """All content of one version of a product. draft → submitted → approved, or → returned → submitted …
    Only a draft or returned revision is edited; at most one such working revision per product."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Pending review")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")

    class Pricing(models.TextChoices):
        SINGLE = "single", _("One price")
        TIERS = "tiers", _("Price range with tiers")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)

    name = models.CharField(_("product name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    regions = models.ManyToManyField(City, through="RevisionRegion", related_name="+", verbose_name=_("service region"))
    target_sizes = models.JSONField(_("enterprise sizes served"), default=list, blank=True)
    target_industries = models.JSONField(_("industries served"), default=list, blank=True)  # empty: every industry
    overview = models.TextField(_("service overview"), blank=True)
    process = models.TextField(_("service process"), blank=True)
    duration = models.CharField(_("service duration"), max_length=100, blank=True)
    deliverables = models.TextField(_("deliverables"), blank=True)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)

    pricing = models.CharField(_("pricing"), max_length=10, choices=Pricing.choices, default=Pricing.SINGLE)
    price_min_fen = models.BigIntegerField(_("lowest price (fen)"), default=0)
    price_max_fen = models.BigIntegerField(_("highest price (fen)"), default=0)
    # Seed 二(二)6: a product made of several sub-products (不止一个子产品) needs 3–5 sets like a price range.
    sub_products = models.BooleanField(_("bundles several sub-products"), default=False)

    guidance_title = models.CharField(_("guidance price document"), max_length=200, blank=True)
    guidance_number = models.CharField(_("document number"), max_length=100, blank=True)
    basis_cost = models.TextField(_("cost"), blank=True)
    basis_profit = models.TextField(_("profit"), blank=True)
    basis_tax = models.TextField(_("tax"), blank=True)
    pricing_document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    qualification = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    review_note = models.TextField(_("reasons for return"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["product", "-number"]
        verbose_name = _("product revision")
        verbose_name_plural = _("product revisions")
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="revision_number_once"),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(state__in=["draft", "submitted", "returned"]),
                name="one_working_revision",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "approved"]), name="revision_state_known"
            ),
            models.CheckConstraint(
                condition=Q(price_min_fen__gte=0) & Q(price_max_fen__gte=models.F("price_min_fen")),
                name="revision_price_range_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} (v{self.number})"

    @property
    def is_range(self) -> bool:
        return self.pricing == self.Pricing.TIERS

    @property
    def needs_several_sets(self) -> bool:
        """Seed 二(二)6: tiers, a price range or several sub-products need 3 to 5 sets of historical materials."""
        return self.is_range or self.sub_products

    def size_labels(self) -> list[str]:
        return [str(Size(code).label) for code in self.target_sizes if code in Size.values]

    def industry_labels(self) -> list[str]:
        return [str(Industry(code).label) for code in self.target_industries if code in Industry.values]

    @property
    def editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class RevisionRegion(models.Model):
    """R5: the cities (service region) of one revision; always within the provider's scope (R2)."""

    revision = models.ForeignKey(ProductRevision, on_delete=models.CASCADE, related_name="region_rows")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revision", "city"], name="region_city_once")]

    def __str__(self):
        return str(self.city)


class ProductTier(models.Model):
    """A priced option of a revision: what it buys and its price. A one-price product has exactly one tier, so an
    order always references (revision, tier) and keeps that price."""

    revision = models.ForeignKey(ProductRevision, on_delete=models.CASCADE, related_name="tiers")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("tier"), max_length=100, blank=True)
    description = models.TextField(_("what it buys"), blank=True)
    price_fen = models.BigIntegerField(_("price (fen)"))

    class Meta:
        ordering = ["revision", "position"]
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        constraints = [
            models.UniqueConstraint(fields=["revision", "position"], name="tier_position_once"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="tier_price_positive"),
        ]

    def __str__(self):
        return self.name or str(self.revision)


class Comparable(models.Model):
    """R5 pricing basis: a comparable product on the market (at least two)."""

    revision = models.ForeignKey(ProductRevision, on_delete=models.CASCADE, related_name="comparables")
    position = models.PositiveSmallIntegerField()
    competitor = models.CharField(_("competitor"), max_length=200)
    product_name = models.CharField(_("their product"), max_length=200)
    price_fen = models.BigIntegerField(_("their price (fen)"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["revision", "position"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "position"], name="comparable_position_once"),
            models.CheckConstraint(condition=Q(price_fen__gte=0), name="comparable_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.competitor} · {self.product_name}"


class MaterialSet(models.Model):
    """R5: one set of historical service materials: contract, invoice and the category's deliverable evidence."""

    revision = models.ForeignKey(ProductRevision, on_delete=models.CASCADE, related_name="material_sets")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("client or project"), max_length=200)
    contract = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["revision", "position"]
        constraints = [models.UniqueConstraint(fields=["revision", "position"], name="material_set_position_once")]

    def __str__(self):
        return self.title


class Evidence(models.Model):
    """One item of a set's deliverable evidence, by the category's list (e.g. training: the sign-in sheet)."""

    material_set = models.ForeignKey(MaterialSet, on_delete=models.CASCADE, related_name="evidence")
    item = models.CharField(max_length=30)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["material_set", "item"], name="evidence_item_once")]

    def __str__(self):
        return self.item
