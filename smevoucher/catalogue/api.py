"""The same operations as the pages (DESIGN §8): products/ + {id}/submit|approve|return|take-down/, catalogue/.
Amounts are integer fen; materials are uploaded through documents/ first and referenced here by id."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City
from smevoucher.core.api import FenField, HasPerm, IntegerField, list_filter_parameters, list_filters
from smevoucher.core.replica import read_replica
from smevoucher.enterprises.models import Industry, Size

from . import selectors, services
from .models import Category, Comparable, MaterialSet, Product, ProductRevision, ProductTier


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductTier
        fields = ["id", "position", "name", "description", "price_fen"]


class ComparableSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comparable
        fields = ["position", "competitor", "product_name", "price_fen", "source"]


class MaterialSetOutput(serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = MaterialSet
        fields = ["position", "title", "contract", "invoice", "evidence"]

    def get_evidence(self, material_set) -> dict[str, int]:
        return {e.item: e.document_id for e in material_set.evidence.all()}


class PublicRevisionOutput(serializers.ModelSerializer):
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tiers = TierSerializer(many=True, read_only=True)

    class Meta:
        model = ProductRevision
        fields = [
            "id",
            "number",
            "name",
            "category",
            "regions",
            "target_sizes",
            "target_industries",
            "overview",
            "process",
            "duration",
            "deliverables",
            "acceptance_criteria",
            "pricing",
            "sub_products",
            "price_min_fen",
            "price_max_fen",
            "tiers",
            "decided_at",
        ]


class RevisionOutput(PublicRevisionOutput):
    comparables = ComparableSerializer(many=True, read_only=True)
    material_sets = MaterialSetOutput(many=True, read_only=True)

    class Meta(PublicRevisionOutput.Meta):
        fields = [
            *PublicRevisionOutput.Meta.fields,
            "state",
            "guidance_title",
            "guidance_number",
            "comparables",
            "basis_cost",
            "basis_profit",
            "basis_tax",
            "pricing_document",
            "qualification",
            "material_sets",
            "review_note",
            "submitted_at",
        ]


class ProviderSummary(serializers.Serializer):
    id = IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()
    city = serializers.CharField(source="city.code")
    service_scope = serializers.SerializerMethodField()

    def get_service_scope(self, provider) -> list[str]:
        from smevoucher.providers.selectors import service_city_codes

        return service_city_codes(provider, self.context)


class ProductOutput(serializers.ModelSerializer):
    provider = ProviderSummary()
    published_revision = RevisionOutput()
    working_revision = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "provider", "status", "take_down_reason", "published_revision", "working_revision", "missing"]

    def get_working_revision(self, product) -> dict | None:
        revision = selectors.working_revision(product)
        return RevisionOutput(revision).data if revision else None

    def get_missing(self, product) -> list[str]:
        """What R5 still requires of the working revision before it can be submitted."""
        revision = selectors.working_revision(product)
        return services.missing_items(revision) if revision and revision.editable else []


class ProductSummaryOutput(serializers.ModelSerializer):
    provider = ProviderSummary()
    name = serializers.SerializerMethodField()
    working_state = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "provider", "name", "status", "published_revision", "working_state"]

    def get_name(self, product) -> str:
        revision = product.published_revision or selectors.latest_of(product)
        return revision.name if revision else ""

    def get_working_state(self, product) -> str | None:
        revision = selectors.working_of(product)
        return revision.state if revision else None


class CatalogueOutput(serializers.ModelSerializer):
    provider = ProviderSummary()
    revision = PublicRevisionOutput(source="published_revision")
    rating_count = IntegerField(read_only=True)
    rating_average = serializers.FloatField(read_only=True, allow_null=True, help_text="1–5, one decimal")

    class Meta:
        model = Product
        fields = ["id", "provider", "revision", "rating_count", "rating_average"]


class TierInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True, default="")
    description = serializers.CharField(allow_blank=True, default="")
    price_fen = FenField(min_value=1)


class ComparableInput(serializers.Serializer):
    competitor = serializers.CharField(max_length=200, allow_blank=True, default="")
    product_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    price_fen = FenField(min_value=0)
    source = serializers.CharField(max_length=300, allow_blank=True, default="")


class ProductInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    regions = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all(), many=True, required=False)
    target_sizes = serializers.ListField(child=serializers.ChoiceField(choices=Size.choices), required=False)
    target_industries = serializers.ListField(child=serializers.ChoiceField(choices=Industry.choices), required=False)
    overview = serializers.CharField(allow_blank=True, required=False)
    process = serializers.CharField(allow_blank=True, required=False)
    duration = serializers.CharField(allow_blank=True, max_length=100, required=False)
    deliverables = serializers.CharField(allow_blank=True, required=False)
    acceptance_criteria = serializers.CharField(allow_blank=True, required=False)
    pricing = serializers.ChoiceField(choices=ProductRevision.Pricing.choices, required=False)
    sub_products = serializers.BooleanField(
        required=False, help_text="The product bundles more than one sub-product (then 3 to 5 material sets)."
    )
    price_fen = FenField(min_value=1, required=False, help_text="One price (pricing=single).")
    tiers = TierInput(many=True, required=False, help_text="Tiers (pricing=tiers): what each price buys.")
    guidance_title = serializers.CharField(allow_blank=True, max_length=200, required=False)
    guidance_number = serializers.CharField(allow_blank=True, max_length=100, required=False)
    comparables = ComparableInput(many=True, required=False)
    basis_cost = serializers.CharField(allow_blank=True, required=False)
    basis_profit = serializers.CharField(allow_blank=True, required=False)
    basis_tax = serializers.CharField(allow_blank=True, required=False)
    qualification = IntegerField(required=False, help_text="Id of a document of kind qualification.")
    pricing_document = IntegerField(required=False, help_text="Id of a document of kind pricing_basis.")

    def content(self) -> dict:
        data = dict(self.validated_data)
        if "regions" in data:
            data["regions"] = [city.pk for city in data["regions"]]
        for key in ("tiers", "comparables"):
            if key in data:
                data[key] = [dict(row) for row in data[key]]
        return data


class ProductListView(GenericAPIView):
    serializer_class = ProductSummaryOutput

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), HasPerm.of("catalogue.add_product")()]
        return super().get_permissions()

    @extend_schema(
        parameters=[
            *list_filter_parameters("Product name (any revision's).", Product.Status.choices),
            OpenApiParameter("in_review", bool, description="Only the products waiting for this unit's review."),
        ],
        responses=ProductSummaryOutput(many=True),
    )
    def get(self, request):
        """Products the caller may see: its own (provider), or those in the unit's remit (R4)."""
        filters = list_filters(request, Product.Status.choices)
        in_review = request.query_params.get("in_review")
        products = (
            selectors.review_queue_for(request.user) if in_review else selectors.products_visible_to(request.user)
        )
        products = selectors.products_filtered(filters, products)
        page = self.paginate_queryset(selectors.with_revisions(products.order_by("pk")))
        return self.get_paginated_response(ProductSummaryOutput(page, many=True).data)

    @extend_schema(request=ProductInput, responses={201: ProductOutput})
    def post(self, request):
        """An approved provider creates a product; revision 1 is a draft (R5 is checked on submit)."""
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_create(actor=request.user, **data.content())
        return Response(ProductOutput(product).data, status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    @extend_schema(responses=ProductOutput)
    def get(self, request, pk: int):
        return Response(ProductOutput(selectors.product_get_for(user=request.user, product_id=pk)).data)

    @extend_schema(request=ProductInput, responses=ProductOutput)
    def patch(self, request, pk: int):
        """Change the content; a published product gets a new revision, the approved one stays published."""
        selectors.product_get_for(user=request.user, product_id=pk)
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.product_update(actor=request.user, product_id=pk, **data.content())
        return Response(ProductOutput(selectors.product_get_for(user=request.user, product_id=pk)).data)


class MaterialSetInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    contract = IntegerField(required=False, help_text="Id of a document of kind history_contract.")
    invoice = IntegerField(required=False, help_text="Id of a document of kind history_invoice.")
    evidence = serializers.DictField(
        child=IntegerField(),
        required=False,
        help_text="Item → id of a document of kind history_deliverable.",
    )


class MaterialSetListView(APIView):
    @extend_schema(request=MaterialSetInput, responses={201: MaterialSetOutput})
    def post(self, request, pk: int):
        """R5: add a set of historical materials (contract, invoice, the category's deliverable evidence)."""
        selectors.product_get_for(user=request.user, product_id=pk)
        data = MaterialSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        material_set = services.material_set_add(
            actor=request.user,
            product_id=pk,
            title=values.get("title", ""),
            contract=values.get("contract"),
            invoice=values.get("invoice"),
            evidence=values.get("evidence"),
        )
        return Response(MaterialSetOutput(material_set).data, status=status.HTTP_201_CREATED)


class MaterialSetDetailView(APIView):
    @extend_schema(request=MaterialSetInput, responses=MaterialSetOutput)
    def patch(self, request, pk: int, position: int):
        selectors.product_get_for(user=request.user, product_id=pk)
        data = MaterialSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        material_set = services.material_set_update(
            actor=request.user,
            product_id=pk,
            position=position,
            title=values.get("title"),
            contract=values.get("contract"),
            invoice=values.get("invoice"),
            evidence=values.get("evidence"),
        )
        return Response(MaterialSetOutput(material_set).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, position: int):
        selectors.product_get_for(user=request.user, product_id=pk)
        services.material_set_remove(actor=request.user, product_id=pk, position=position)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ProductActionView(APIView):
    """submit and discard-changes (provider), approve, return and take-down (the reviewing unit, R4)."""

    action = "submit"

    @extend_schema(request=ReasonInput, responses=ProductOutput)
    def post(self, request, pk: int):
        if self.action == "submit":
            services.product_submit(actor=request.user, product_id=pk)
        elif self.action == "approve":
            services.product_approve(actor=request.user, product_id=pk)
        elif self.action == "discard_changes":  # back to the approved version (the page's discard button)
            selectors.product_get_for(user=request.user, product_id=pk)
            services.product_discard_changes(actor=request.user, product_id=pk)
        else:
            data = ReasonInput(data=request.data)
            data.is_valid(raise_exception=True)
            service = services.product_return if self.action == "return" else services.product_take_down
            service(actor=request.user, product_id=pk, reason=data.validated_data["reason"])
        return Response(ProductOutput(selectors.product_get_for(user=request.user, product_id=pk)).data)


class CatalogueQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True, help_text="City code, e.g. 440100.")
    price_min_fen = FenField(required=False)
    price_max_fen = FenField(required=False)


class CatalogueView(GenericAPIView):
    serializer_class = CatalogueOutput
    permission_classes = [AllowAny]

    @extend_schema(parameters=[CatalogueQuery], responses=CatalogueOutput(many=True))
    @read_replica()  # a heavy public list: the replica serves it when there is one
    def get(self, request):
        """Published products; an enterprise gets only those that may serve its city (R2). Filters: q, category,
        city (code), price_min_fen, price_max_fen."""
        query = CatalogueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        city = City.objects.filter(code=params.get("city")).first() if params.get("city") else None
        bounds = {key: params[key] for key in ("price_min_fen", "price_max_fen") if key in params}
        products = selectors.catalogue_search(
            selectors.catalogue_for(request.user),
            q=params.get("q", ""),
            category=params.get("category", "") if params.get("category") in Category.values else "",
            city=city if city else None,
            **bounds,
        )
        if params.get("city") and city is None:
            products = products.none()
        page = self.paginate_queryset(
            products.prefetch_related("published_revision__regions", "published_revision__tiers")
        )
        return self.get_paginated_response(CatalogueOutput(page, many=True).data)


class CatalogueDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CatalogueOutput)
    def get(self, request, pk: int):
        return Response(CatalogueOutput(selectors.catalogue_product_get(user=request.user, product_id=pk)).data)
