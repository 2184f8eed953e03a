"""REST API (DESIGN §8): batches, claims, allocation, wallet, ledger. Thin: the same selectors and services
as the pages; amounts are integer fen."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City
from smevoucher.core import access
from smevoucher.core.api import FenField, HasPerm, IntegerField, list_filter_parameters, list_filters

from . import selectors, services
from .models import Batch, Claim, LedgerEntry, LedgerTransaction, PolicySetting, QuotaSetting


class BatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    total_fen = FenField(min_value=1)
    claim_start = serializers.DateTimeField()
    claim_end = serializers.DateTimeField()
    service_start = serializers.DateField()
    service_end = serializers.DateField()
    validity_end = serializers.DateField()
    coverage_limit_bp = IntegerField(
        min_value=1, max_value=10000, required=False, help_text="Absent: the policy's coverage limit for the year."
    )
    partial_last = serializers.BooleanField(default=True)


class BatchOutput(serializers.ModelSerializer):
    city = serializers.CharField(source="city.code")
    order_deadline = serializers.DateTimeField(read_only=True)
    contract_deadline = serializers.DateTimeField(read_only=True)
    cap_bp = IntegerField(read_only=True, help_text="R7/R19: the batch's cap share, fixed when it opened.")
    order_deadline_days = IntegerField(read_only=True)
    contract_deadline_days = IntegerField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id",
            "city",
            "name",
            "total_fen",
            "claim_start",
            "claim_end",
            "service_start",
            "service_end",
            "validity_end",
            "coverage_limit_bp",
            "partial_last",
            "status",
            "cap_bp",
            "order_deadline_days",
            "contract_deadline_days",
            "order_deadline",
            "contract_deadline",
            "expires_at",
            "opened_at",
            "allocated_at",
            "closed_at",
        ]


class ClaimOutput(serializers.ModelSerializer):
    enterprise = IntegerField(source="enterprise_id")
    batch = IntegerField(source="batch_id")

    class Meta:
        model = Claim
        fields = [
            "id",
            "batch",
            "enterprise",
            "amount_fen",
            "allocated_fen",
            "status",
            "priority",
            "submitted_at",
            "order_deadline",
        ]


class UnitClaimOutput(ClaimOutput):
    enterprise_name = serializers.CharField(source="enterprise.name")

    class Meta(ClaimOutput.Meta):
        fields = [*ClaimOutput.Meta.fields, "enterprise_name"]


class OwnClaimOutput(ClaimOutput):
    place = IntegerField()
    queue_total = IntegerField()
    remaining_quota_fen = IntegerField()

    class Meta(ClaimOutput.Meta):
        fields = [*ClaimOutput.Meta.fields, "place", "queue_total", "remaining_quota_fen"]


class ClaimInput(serializers.Serializer):
    amount_fen = FenField(min_value=1)


class BatchListView(GenericAPIView):
    serializer_class = BatchOutput

    @extend_schema(
        parameters=list_filter_parameters("Batch name.", Batch.Status.choices), responses=BatchOutput(many=True)
    )
    def get(self, request):
        """Batches in the caller's remit (units) or its city's published batches (enterprises)."""
        if not request.user.has_perm("vouchers.list_batches"):
            raise PermissionDenied
        filters = list_filters(request, Batch.Status.choices)
        batches = selectors.batches_filtered(filters, selectors.batches_visible_to(request.user))
        page = self.paginate_queryset(batches.order_by("-id"))
        return self.get_paginated_response(BatchOutput(page, many=True).data)

    @extend_schema(request=BatchInput, responses={201: BatchOutput})
    def post(self, request):
        """R6: a city unit drafts a batch for its city."""
        if not request.user.has_perm("vouchers.add_batch"):
            raise PermissionDenied
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.batch_create(actor=request.user, **data.validated_data)
        return Response(BatchOutput(batch).data, status=status.HTTP_201_CREATED)


class BatchDetailView(APIView):
    @extend_schema(responses=BatchOutput)
    def get(self, request, pk: int):
        return Response(BatchOutput(selectors.batch_get_for(user=request.user, batch_id=pk)).data)

    @extend_schema(request=BatchInput(partial=True), responses=BatchOutput)
    def patch(self, request, pk: int):
        """Edit a draft batch."""
        data = BatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        batch = services.batch_update(actor=request.user, batch_id=pk, **data.validated_data)
        return Response(BatchOutput(batch).data)


def _transition_view(service, doc: str):
    class View(APIView):
        @extend_schema(request=None, responses=BatchOutput, description=doc)
        def post(self, request, pk: int):
            batch = service(actor=request.user, batch_id=pk)
            batch.refresh_from_db()
            return Response(BatchOutput(batch).data)

    View.__name__ = View.__qualname__ = f"Batch{service.__name__.split('_')[1].title()}View"
    return View


BatchOpenView = _transition_view(services.batch_open, "draft → open: publish the claim window.")
BatchAllocateView = _transition_view(services.batch_allocate, "open → allocated, after the window has closed.")
BatchCloseView = _transition_view(services.batch_close, "allocated → closed: no more backfill.")


class BatchClaimsView(GenericAPIView):
    serializer_class = ClaimOutput

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="BatchClaim",
            serializers=[UnitClaimOutput, OwnClaimOutput],
            resource_type_field_name=None,
            many=True,
        )
    )
    def get(self, request, pk: int):
        """Units: every claim of the batch in allocation order. Enterprises: their own claim (a list of at most
        one) with its place in the queue and the remaining annual quota."""
        batch = selectors.batch_get_for(user=request.user, batch_id=pk)
        if request.user.has_perm("vouchers.view_claims", batch):
            page = self.paginate_queryset(selectors.claims_of_batch(batch))
            return self.get_paginated_response(UnitClaimOutput(page, many=True).data)
        enterprise = selectors.enterprise_of(request.user)
        rows = []
        for claim in Claim.objects.filter(batch=batch, enterprise=enterprise).select_related("batch", "enterprise"):
            claim.place, claim.queue_total = selectors.queue_position(claim)
            claim.remaining_quota_fen = selectors.remaining_quota_fen(enterprise, claim.year)
            rows.append(claim)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(OwnClaimOutput(page, many=True).data)

    @extend_schema(request=ClaimInput, responses={201: ClaimOutput, 200: ClaimOutput})
    def post(self, request, pk: int):
        """R6: submit the enterprise's claim. A repeated submission returns the existing claim with 200."""
        data = ClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim, created = services.claim_submit(
            actor=request.user, batch_id=pk, amount_fen=data.validated_data["amount_fen"]
        )
        return Response(claim_json(claim), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def claim_json(claim: Claim) -> dict:
    """ClaimOutput's fields, written out: the rush path answers without building a ModelSerializer."""
    return {
        "id": claim.pk,
        "batch": claim.batch_id,
        "enterprise": claim.enterprise_id,
        "amount_fen": claim.amount_fen,
        "allocated_fen": claim.allocated_fen,
        "status": claim.status,
        "priority": claim.priority,
        "submitted_at": serializers.DateTimeField().to_representation(claim.submitted_at),
        "order_deadline": claim.order_deadline and serializers.DateTimeField().to_representation(claim.order_deadline),
    }


class WalletOutput(serializers.Serializer):
    batch = IntegerField(source="batch.pk")
    batch_name = serializers.CharField(source="batch.name")
    claim = IntegerField(source="claim.pk")
    claimed_fen = IntegerField(source="claim.amount_fen")
    allocated_fen = IntegerField(source="claim.allocated_fen")
    wallet_fen = IntegerField()
    escrow_fen = IntegerField()
    usable_fen = IntegerField()
    state = serializers.CharField()
    order_deadline = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()


class WalletView(APIView):
    @extend_schema(responses=WalletOutput(many=True))
    def get(self, request):
        """The enterprise's vouchers per batch, with deadlines; usable_fen is zero past either deadline."""
        if not request.user.has_perm("vouchers.view_wallet"):
            raise PermissionDenied
        enterprise = selectors.enterprise_of(request.user)
        return Response(WalletOutput(selectors.wallets_of(enterprise) if enterprise else [], many=True).data)


class LedgerEntryOutput(serializers.ModelSerializer):
    account = IntegerField(source="account_id")
    account_kind = serializers.CharField(source="account.kind")
    enterprise = IntegerField(source="account.enterprise_id", allow_null=True)
    provider = IntegerField(source="account.provider_id", allow_null=True)
    order_id = IntegerField(source="account.order_id", allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = ["account", "account_kind", "enterprise", "provider", "order_id", "amount_fen"]


class TransactionOutput(serializers.ModelSerializer):
    batch = IntegerField(source="batch_id")
    actor = IntegerField(source="actor_id", allow_null=True)
    entries = LedgerEntryOutput(many=True)

    class Meta:
        model = LedgerTransaction
        fields = ["id", "batch", "kind", "actor", "object_type", "object_id", "memo", "created_at", "entries"]


class LedgerQuery(serializers.Serializer):
    batch = IntegerField(required=False, help_text="Only this batch's transactions.")


class LedgerView(GenericAPIView):
    serializer_class = TransactionOutput

    @extend_schema(parameters=[LedgerQuery], responses=TransactionOutput(many=True))
    def get(self, request):
        """The ledger's transactions (units: their city's batches; the province: all). ?batch=<id> filters."""
        if not access.is_unit_staff(request.user):
            raise PermissionDenied
        query = LedgerQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        transactions = selectors.ledger_transactions_visible_to(request.user).order_by("id")
        batch = query.validated_data.get("batch")
        if batch is not None:
            transactions = transactions.filter(batch_id=selectors.batch_get_for(user=request.user, batch_id=batch).pk)
        page = self.paginate_queryset(transactions)
        return self.get_paginated_response(TransactionOutput(page, many=True).data)


# --- Settings: the city's annual quota (R6) and the province's policy numbers (R19) --------------------------


class QuotaSettingOutput(serializers.ModelSerializer):
    city = serializers.CharField(source="city.code")
    year = IntegerField()
    annual_quota_fen = FenField()

    class Meta:
        model = QuotaSetting
        fields = ["city", "year", "annual_quota_fen", "reclaim_gives_back_quota", "updated_at"]


class QuotaSettingInput(serializers.Serializer):
    year = IntegerField(min_value=2000, max_value=2100)
    annual_quota_fen = FenField()
    reclaim_gives_back_quota = serializers.BooleanField(default=True)


class QuotaSettingsView(GenericAPIView):
    """The page `vouchers:quota`: a city unit's annual quota per enterprise, per year."""

    permission_classes = [HasPerm.of("vouchers.set_quota")]
    serializer_class = QuotaSettingOutput

    @extend_schema(responses=QuotaSettingOutput(many=True))
    def get(self, request):
        """The caller's city's saved years, newest first (a year without one has the default ¥20,000)."""
        settings = QuotaSetting.objects.filter(city_id=request.user.organisation.city_id).select_related("city")
        page = self.paginate_queryset(settings.order_by("-year"))
        return self.get_paginated_response(QuotaSettingOutput(page, many=True).data)

    @extend_schema(request=QuotaSettingInput, responses=QuotaSettingOutput)
    def put(self, request):
        """Set the quota of a year (audited with before and after)."""
        data = QuotaSettingInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(QuotaSettingOutput(services.quota_set(actor=request.user, **data.validated_data)).data)


class PolicyValuesOutput(serializers.Serializer):
    cap_bp = IntegerField()
    order_deadline_days = IntegerField()
    contract_deadline_days = IntegerField()
    coverage_limit_bp = IntegerField()
    source = serializers.ChoiceField(choices=["default", "province", "city"])


class PolicySettingOutput(serializers.ModelSerializer):
    city = serializers.CharField(source="city.code", allow_null=True, default=None)
    year = IntegerField()
    cap_bp = IntegerField()
    order_deadline_days = IntegerField()
    contract_deadline_days = IntegerField()
    coverage_limit_bp = IntegerField()
    set_by = serializers.CharField(source="set_by.username")

    class Meta:
        model = PolicySetting
        fields = [
            "id",
            "city",
            "year",
            "cap_bp",
            "order_deadline_days",
            "contract_deadline_days",
            "coverage_limit_bp",
            "reason",
            "set_by",
            "set_at",
        ]


class PolicySettingInput(serializers.Serializer):
    year = IntegerField(min_value=2000, max_value=2100)
    city = serializers.SlugRelatedField(
        slug_field="code", queryset=City.objects.all(), required=False, allow_null=True, default=None
    )
    cap_bp = IntegerField(min_value=1, max_value=10000, help_text="R7: basis points, 1000 = 10 %.")
    order_deadline_days = IntegerField(min_value=1, max_value=366)
    contract_deadline_days = IntegerField(min_value=1, max_value=366)
    coverage_limit_bp = IntegerField(min_value=1, max_value=10000, help_text="R11: basis points, 5000 = 50 %.")
    reason = serializers.CharField(max_length=300)


class PolicySettingsView(GenericAPIView):
    """The page `vouchers:policy`: every unit reads the values and their history; the province sets them."""

    permission_classes = [HasPerm.of("vouchers.view_policy")]
    serializer_class = PolicySettingOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Only this year's versions."),
            OpenApiParameter("city", str, description="Also answer `in_force` for this city (code)."),
        ],
        responses=PolicySettingOutput(many=True),
    )
    def get(self, request):
        """Every saved version, newest first; with `year`, `in_force` says what applies to that year (for `city`,
        its own values where it has any, else the province's, else the defaults)."""
        year = _query_int(request, "year")
        page = self.paginate_queryset(services.policy_history(year=year))
        response = self.get_paginated_response(PolicySettingOutput(page, many=True).data)
        if year is not None:
            city = City.objects.filter(code=request.query_params.get("city", "")).first()
            policy = services.policy_for(city.pk if city else None, year)
            response.data["in_force"] = PolicyValuesOutput(policy).data
        return response

    @extend_schema(request=PolicySettingInput, responses={201: PolicySettingOutput})
    def post(self, request):
        """Set the values of a year, province-wide or for one city; a new version (the old ones stay)."""
        if not request.user.has_perm("vouchers.set_policy"):
            raise PermissionDenied
        data = PolicySettingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        city = values.pop("city")
        setting = services.policy_set(actor=request.user, city_id=city.pk if city else None, **values)
        return Response(PolicySettingOutput(setting).data, status=status.HTTP_201_CREATED)


def _query_int(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    field = IntegerField(min_value=2000, max_value=2100)
    try:
        return field.run_validation(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from None
