"""REST API (DESIGN §8): `redemptions/` and `{id}/submit|approve|reject|payout/`, `{id}/forms/...`, plus the lines and
materials of a draft. Thin: the same selectors and services as the pages; amounts are integer fen; documents are
uploaded first through `documents/` and passed by id."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import IntegerField

from . import selectors, services
from .models import Application, Line
from .views import form_response


class RedemptionLineOutput(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="payment.invoice_number")
    enterprise_name = serializers.CharField(source="order.enterprise.organisation.name")

    class Meta:
        model = Line
        fields = ["payment", "order", "enterprise_name", "invoice_number", "voucher_fen"]


class RedemptionOutput(serializers.ModelSerializer):
    number = serializers.CharField()
    provider_name = serializers.CharField(source="provider.organisation.name")
    lines = RedemptionLineOutput(many=True)
    materials = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "status",
            "provider",
            "provider_name",
            "city",
            "total_fen",
            "verification_code",
            "application_scan",
            "summary_scan",
            "materials",
            "lines",
            "reject_reason",
            "created_at",
            "submitted_at",
            "decided_at",
            "paid_on",
            "payout_reference",
        ]

    def get_materials(self, application) -> dict[str, int]:
        return {m.name: m.document_id for m in application.materials.all()}


class RedemptionCreateInput(serializers.Serializer):
    city = IntegerField()
    payments = serializers.ListField(child=IntegerField(), required=False, default=list)


class RedemptionLinesInput(serializers.Serializer):
    add = serializers.ListField(child=IntegerField(), required=False, default=list)
    remove = serializers.ListField(child=IntegerField(), required=False, default=list)


class RedemptionMaterialsInput(serializers.Serializer):
    application_form = IntegerField(required=False, allow_null=True, default=None)
    summary_table = IntegerField(required=False, allow_null=True, default=None)
    materials = serializers.DictField(child=IntegerField(), required=False, default=dict)


class RedemptionRejectInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class RedemptionPayoutInput(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=60)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _application(request, pk):
    return Response(RedemptionOutput(selectors.application_get_for(user=request.user, application_id=pk)).data)


class RedemptionListView(GenericAPIView):
    serializer_class = RedemptionOutput

    def get_queryset(self):
        lines = Line.objects.select_related("payment", "order__enterprise__organisation")  # no query per line
        return selectors.applications_visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=lines), "materials"
        )

    @extend_schema(responses=RedemptionOutput(many=True))
    def get(self, request):
        """A provider's own applications; a city unit's those submitted to it."""
        if not request.user.has_perm("redemption.list_applications"):
            raise PermissionDenied
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RedemptionOutput(page, many=True).data)

    @extend_schema(request=RedemptionCreateInput, responses={201: RedemptionOutput})
    def post(self, request):
        """A provider starts a draft for one issuing city with confirmed payments (R13)."""
        if not request.user.has_perm("redemption.apply"):
            raise PermissionDenied
        data = _valid(RedemptionCreateInput, request)
        application = services.application_create(
            actor=request.user, city_id=data["city"], payment_ids=data["payments"]
        )
        return Response(RedemptionOutput(application).data, status=status.HTTP_201_CREATED)


class RedemptionDetailView(APIView):
    @extend_schema(responses=RedemptionOutput)
    def get(self, request, pk: int):
        return _application(request, pk)


class RedemptionLinesView(APIView):
    @extend_schema(request=RedemptionLinesInput, responses=RedemptionOutput)
    def post(self, request, pk: int):
        """Add and remove payments of a draft or rejected application."""
        data = _valid(RedemptionLinesInput, request)
        if data["add"]:
            services.application_add_payments(actor=request.user, application_id=pk, payment_ids=data["add"])
        for payment_id in data["remove"]:
            services.application_remove_payment(actor=request.user, application_id=pk, payment_id=payment_id)
        return _application(request, pk)


class RedemptionMaterialsView(APIView):
    @extend_schema(request=RedemptionMaterialsInput, responses=RedemptionOutput)
    def post(self, request, pk: int):
        """Attach the stamped scans (kinds `application_form`, `summary_table`) and the city's materials."""
        data = _valid(RedemptionMaterialsInput, request)
        services.application_attach(
            actor=request.user,
            application_id=pk,
            application_form_id=data["application_form"],
            summary_table_id=data["summary_table"],
            materials=data["materials"],
        )
        return _application(request, pk)


class RedemptionSubmitView(APIView):
    @extend_schema(request=None, responses=RedemptionOutput)
    def post(self, request, pk: int):
        services.application_submit(actor=request.user, application_id=pk)
        return _application(request, pk)


class RedemptionApproveView(APIView):
    @extend_schema(request=None, responses=RedemptionOutput)
    def post(self, request, pk: int):
        """The issuing city's unit approves; the vouchers move to redeemed."""
        services.application_approve(actor=request.user, application_id=pk)
        return _application(request, pk)


class RedemptionRejectView(APIView):
    @extend_schema(request=RedemptionRejectInput, responses=RedemptionOutput)
    def post(self, request, pk: int):
        reason = _valid(RedemptionRejectInput, request)["reason"]
        services.application_reject(actor=request.user, application_id=pk, reason=reason)
        return _application(request, pk)


class RedemptionPayoutView(APIView):
    @extend_schema(request=RedemptionPayoutInput, responses=RedemptionOutput)
    def post(self, request, pk: int):
        data = _valid(RedemptionPayoutInput, request)
        services.application_record_payout(
            actor=request.user, application_id=pk, paid_on=data["paid_on"], reference=data["reference"]
        )
        return _application(request, pk)


class RedemptionFormView(APIView):
    name = ""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request, pk: int):
        """The generated form, filled from the application's data (PDF, or XLSX for summary.xlsx)."""
        return form_response(selectors.application_get_for(user=request.user, application_id=pk), self.name)
