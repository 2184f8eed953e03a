"""REST API (DESIGN §8): orders and every transition, refund requests. Thin: the same selectors and services as
the pages; amounts are integer fen; documents are uploaded first through `documents/` and passed by id."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import FenField, IntegerField, list_filter_parameters, list_filters
from smevoucher.core.parsers import JSONParser
from smevoucher.providers.selectors import provider_of
from smevoucher.vouchers import services as voucher_services

from . import selectors, services
from .models import CityMaterial, Order, Payment, RefundRequest


class OrderPaymentOutput(serializers.ModelSerializer):
    materials = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice_number",
            "invoice_date",
            "invoice_fen",
            "own_share_fen",
            "voucher_fen",
            "invoice",
            "transfer_proof",
            "materials",
            "status",
            "reject_reason",
            "submitted_at",
            "decided_at",
        ]

    def get_materials(self, payment) -> dict[str, int]:
        return {m.name: m.document_id for m in payment.materials.all()}


class OrderOutput(serializers.ModelSerializer):
    enterprise_name = serializers.CharField()
    provider_name = serializers.CharField()
    number = serializers.CharField()
    expires_at = serializers.DateTimeField(source="batch.expires_at")
    payments = OrderPaymentOutput(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "enterprise",
            "enterprise_name",
            "provider",
            "provider_name",
            "product",
            "revision",
            "tier",
            "product_name",
            "tier_name",
            "price_fen",
            "batch",
            "expected_voucher_fen",
            "voucher_fen",
            "contract_due",
            "expires_at",
            "contract",
            "contract_return_reason",
            "decline_reason",
            "completed_on",
            "placed_at",
            "confirmed_at",
            "contract_uploaded_at",
            "contract_confirmed_at",
            "payment_confirmed_at",
            "payments",
        ]


class OrderPlaceInput(serializers.Serializer):
    revision = IntegerField()
    tier = IntegerField()
    batch = IntegerField()
    expected_voucher_fen = FenField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OrderReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class OrderContractInput(serializers.Serializer):
    document = IntegerField()


class OrderCompleteInput(serializers.Serializer):
    completed_on = serializers.DateField()


class OrderPaymentInput(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=40)
    invoice_date = serializers.DateField()
    invoice_fen = FenField()
    own_share_fen = FenField()
    voucher_fen = FenField()
    invoice = IntegerField()
    transfer_proof = IntegerField()
    payer_account = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    materials = serializers.DictField(child=IntegerField(), required=False, default=dict)


class RefundRequestOutput(serializers.ModelSerializer):
    class Meta:
        model = RefundRequest
        fields = ["id", "order", "amount_fen", "reason", "status", "decision_note", "requested_at", "decided_at"]


def _order(request, pk):
    return Response(OrderOutput(selectors.order_get_for(user=request.user, order_id=pk)).data)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class OrderListView(GenericAPIView):
    serializer_class = OrderOutput

    def get_queryset(self):
        # The parties' names are the order's own columns (kept in step): of the related rows only the batch is read.
        visible = selectors.orders_visible_to(self.request.user).select_related(None).select_related("batch")
        return visible.prefetch_related("payments__materials")

    @extend_schema(
        parameters=[
            *list_filter_parameters("Order number, product, enterprise or provider.", Order.Status.choices),
            OpenApiParameter("refund", str, enum=["requested"], description="Only those with a refund waiting."),
            OpenApiParameter(
                "expiring",
                bool,
                description="Only those still to be paid whose vouchers expire soon (the workbench card).",
            ),
        ],
        responses=OrderOutput(many=True),
    )
    def get(self, request):
        """The orders the user may see (its own; a unit: its city's), searched and filtered as the order list page."""
        if not request.user.has_perm("orders.list_orders"):
            raise PermissionDenied
        filters = list_filters(request, Order.Status.choices)
        page = self.paginate_queryset(selectors.orders_filtered(filters, self.get_queryset(), request.query_params))
        return self.get_paginated_response(OrderOutput(page, many=True).data)

    @extend_schema(request=OrderPlaceInput, responses={201: OrderOutput})
    def post(self, request):
        """An enterprise orders a published revision's tier, earmarking the expected voucher amount."""
        data = _valid(OrderPlaceInput, request)
        order = services.order_place(
            actor=request.user,
            revision_id=data["revision"],
            tier_id=data["tier"],
            batch_id=data["batch"],
            expected_voucher_fen=data["expected_voucher_fen"],
            note=data["note"],
        )
        return Response(OrderOutput(order).data, status=status.HTTP_201_CREATED)


class OrderDetailView(APIView):
    @extend_schema(responses=OrderOutput)
    def get(self, request, pk: int):
        return _order(request, pk)


class OrderConfirmView(APIView):
    @extend_schema(request=None, responses=OrderOutput)
    def post(self, request, pk: int):
        """The provider confirms the order (R7 cap reserved)."""
        services.order_confirm(actor=request.user, order_id=pk)
        return _order(request, pk)


class OrderDeclineView(APIView):
    @extend_schema(request=OrderReasonInput, responses=OrderOutput)
    def post(self, request, pk: int):
        services.order_decline(actor=request.user, order_id=pk, reason=_valid(OrderReasonInput, request)["reason"])
        return _order(request, pk)


class OrderCancelView(APIView):
    @extend_schema(request=None, responses=OrderOutput)
    def post(self, request, pk: int):
        services.order_cancel(actor=request.user, order_id=pk)
        return _order(request, pk)


class OrderContractView(APIView):
    @extend_schema(request=OrderContractInput, responses=OrderOutput)
    def post(self, request, pk: int):
        """The enterprise submits the contract (a document of kind `contract`) before the R9 deadline."""
        data = _valid(OrderContractInput, request)
        services.contract_upload(actor=request.user, order_id=pk, document_id=data["document"])
        return _order(request, pk)


class OrderConfirmContractView(APIView):
    @extend_schema(request=None, responses=OrderOutput)
    def post(self, request, pk: int):
        services.contract_confirm(actor=request.user, order_id=pk)
        return _order(request, pk)


class OrderReturnContractView(APIView):
    @extend_schema(request=OrderReasonInput, responses=OrderOutput)
    def post(self, request, pk: int):
        services.contract_return(actor=request.user, order_id=pk, reason=_valid(OrderReasonInput, request)["reason"])
        return _order(request, pk)


class OrderCompleteView(APIView):
    @extend_schema(request=OrderCompleteInput, responses=OrderOutput)
    def post(self, request, pk: int):
        data = _valid(OrderCompleteInput, request)
        services.order_complete(actor=request.user, order_id=pk, completed_on=data["completed_on"])
        return _order(request, pk)


class OrderPaymentView(APIView):
    @extend_schema(request=OrderPaymentInput, responses=OrderOutput)
    def post(self, request, pk: int):
        """The enterprise pays with vouchers (R11); documents by id (kinds invoice, transfer_proof, city_extra)."""
        data = _valid(OrderPaymentInput, request)
        services.payment_submit(
            actor=request.user,
            order_id=pk,
            invoice_number=data["invoice_number"],
            invoice_date=data["invoice_date"],
            invoice_fen=data["invoice_fen"],
            own_share_fen=data["own_share_fen"],
            voucher_fen=data["voucher_fen"],
            invoice_id=data["invoice"],
            transfer_proof_id=data["transfer_proof"],
            materials=data["materials"],
            payer_account=data["payer_account"],
        )
        return _order(request, pk)


class OrderConfirmPaymentView(APIView):
    @extend_schema(request=None, responses=OrderOutput)
    def post(self, request, pk: int):
        services.payment_confirm(actor=request.user, order_id=pk)
        return _order(request, pk)


class OrderRejectPaymentView(APIView):
    @extend_schema(request=OrderReasonInput, responses=OrderOutput)
    def post(self, request, pk: int):
        services.payment_reject(actor=request.user, order_id=pk, reason=_valid(OrderReasonInput, request)["reason"])
        return _order(request, pk)


class OrderRefundRequestView(APIView):
    @extend_schema(request=OrderReasonInput, responses={201: RefundRequestOutput})
    def post(self, request, pk: int):
        """The provider asks the enterprise's city unit to refund a confirmed payment (R12)."""
        refund = services.refund_request(
            actor=request.user, order_id=pk, reason=_valid(OrderReasonInput, request)["reason"]
        )
        return Response(RefundRequestOutput(refund).data, status=status.HTTP_201_CREATED)


class RefundRequestListView(GenericAPIView):
    serializer_class = RefundRequestOutput

    def get_queryset(self):
        return selectors.refunds_visible_to(self.request.user)

    @extend_schema(
        parameters=list_filter_parameters(
            "Order number, product, enterprise or provider.", RefundRequest.Status.choices
        ),
        responses=RefundRequestOutput(many=True),
    )
    def get(self, request):
        filters = list_filters(request, RefundRequest.Status.choices)
        page = self.paginate_queryset(selectors.refunds_filtered(filters, self.get_queryset()))
        return self.get_paginated_response(RefundRequestOutput(page, many=True).data)


class RefundApproveView(APIView):
    @extend_schema(request=None, responses=RefundRequestOutput)
    def post(self, request, pk: int):
        return Response(RefundRequestOutput(services.refund_approve(actor=request.user, refund_id=pk)).data)


class RefundRefuseView(APIView):
    @extend_schema(request=OrderReasonInput, responses=RefundRequestOutput)
    def post(self, request, pk: int):
        reason = _valid(OrderReasonInput, request)["reason"]
        return Response(
            RefundRequestOutput(services.refund_refuse(actor=request.user, refund_id=pk, reason=reason)).data
        )


# --- issue 15.2: the city's required materials (public to read; the city unit sets and describes them) ----------


class CityMaterialOutput(serializers.ModelSerializer):
    id = IntegerField()
    position = IntegerField()
    city = serializers.CharField(source="city.code")
    template_url = serializers.SerializerMethodField()

    class Meta:
        model = CityMaterial
        fields = ["id", "city", "purpose", "position", "name", "description", "reason", "template_name", "template_url"]

    def get_template_url(self, material) -> str | None:
        return reverse("orders:city_material_template", args=[material.pk]) if material.template else None


class CityMaterialsSetInput(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=CityMaterial.Purpose.choices)
    names = serializers.ListField(child=serializers.CharField(max_length=100, allow_blank=True), max_length=50)


class CityMaterialDescribeInput(serializers.Serializer):
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    template = serializers.FileField(required=False, help_text="PDF, JPG or PNG, at most 5 MB.")
    remove_template = serializers.BooleanField(required=False, default=False)


def _public_read(view):
    return [AllowAny()] if view.request.method == "GET" else [IsAuthenticated()]


class CityMaterialListView(GenericAPIView):
    serializer_class = CityMaterialOutput
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_permissions(self):
        return _public_read(self)

    @extend_schema(
        parameters=[
            OpenApiParameter("city", str, description="GB/T 2260 code of the city"),
            OpenApiParameter("purpose", str, enum=CityMaterial.Purpose.values),
        ],
        responses=CityMaterialOutput(many=True),
    )
    def get(self, request):
        """Public: each city's required materials (what, why, template), by city and purpose, in order."""
        materials = CityMaterial.objects.select_related("city").order_by("city__code", "purpose", "position", "pk")
        if city := request.query_params.get("city"):
            materials = materials.filter(city__code=city[:6])
        if (purpose := request.query_params.get("purpose")) in CityMaterial.Purpose.values:
            materials = materials.filter(purpose=purpose)
        page = self.paginate_queryset(materials)
        return self.get_paginated_response(CityMaterialOutput(page, many=True).data)

    @extend_schema(request=CityMaterialsSetInput, responses=CityMaterialOutput(many=True))
    def post(self, request):
        """A city unit sets its city's required materials for one purpose, in order (a kept name keeps its
        description and template)."""
        data = CityMaterialsSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.city_materials_set(actor=request.user, **data.validated_data)
        purpose = data.validated_data["purpose"]
        materials = selectors.city_materials_of(request.user.organisation.city_id)[purpose]
        return Response(CityMaterialOutput(materials, many=True).data)


class CityMaterialDetailView(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_permissions(self):
        return _public_read(self)

    @extend_schema(responses=CityMaterialOutput)
    def get(self, request, pk: int):
        return Response(CityMaterialOutput(get_object_or_404(CityMaterial.objects.select_related("city"), pk=pk)).data)

    @extend_schema(request={"multipart/form-data": CityMaterialDescribeInput}, responses=CityMaterialOutput)
    def patch(self, request, pk: int):
        """The city unit says what the material is, why it is needed, and attaches or removes a template."""
        data = CityMaterialDescribeInput(data=request.data)
        data.is_valid(raise_exception=True)
        material = get_object_or_404(CityMaterial, pk=pk)
        values = {"description": material.description, "reason": material.reason, **data.validated_data}
        material = services.city_material_describe(actor=request.user, material_id=pk, **values)
        return Response(CityMaterialOutput(material).data)


# --- R7: a provider's cap gauge, as on its pages (the provider's own users only) ----------------------------------


class ProviderCapOutput(serializers.Serializer):
    city = serializers.CharField(source="city.code")
    year = IntegerField()
    cap_fen = FenField()
    reserved_fen = FenField()
    received_fen = FenField()
    used_fen = FenField()
    free_fen = FenField()
    percent = IntegerField()


class ProviderCapView(APIView):
    @extend_schema(responses=ProviderCapOutput(many=True))
    def get(self, request, pk: int):
        """R7: the provider's cap per issuing city and year: reserved, received, free. Only its own users see it,
        as on its pages."""
        provider = provider_of(request.user)
        if provider is None or provider.pk != pk:
            raise Http404
        return Response(ProviderCapOutput(voucher_services.cap_usage_of(provider.organisation_id), many=True).data)
