"""REST API (DESIGN §8): batches, claims, allocation, wallet, ledger. Thin: the same selectors and services
as the pages; amounts are integer fen."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core import access
from smevoucher.core.api import FenField, IntegerField

from . import selectors, services
from .models import Batch, Claim, LedgerEntry, LedgerTransaction


class BatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    total_fen = FenField(min_value=1)
    claim_start = serializers.DateTimeField()
    claim_end = serializers.DateTimeField()
    service_start = serializers.DateField()
    service_end = serializers.DateField()
    validity_end = serializers.DateField()
    coverage_limit_bp = IntegerField(min_value=1, max_value=10000, default=5000)
    partial_last = serializers.BooleanField(default=True)


class BatchOutput(serializers.ModelSerializer):
    city = serializers.CharField(source="city.code")
    order_deadline = serializers.DateTimeField(read_only=True)
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
            "order_deadline",
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

    @extend_schema(responses=BatchOutput(many=True))
    def get(self, request):
        """Batches in the caller's remit (units) or its city's published batches (enterprises)."""
        if not request.user.has_perm("vouchers.list_batches"):
            raise PermissionDenied
        page = self.paginate_queryset(selectors.batches_visible_to(request.user).order_by("-id"))
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
