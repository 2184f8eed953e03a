"""REST API (DESIGN §8): `redemptions/` and `{id}/submit|approve|reject|payout/`, `{id}/forms/...`, plus the lines and
materials of a draft. Thin: the same selectors and services as the pages; amounts are integer fen; documents are
uploaded first through `documents/` and passed by id."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import FenField, HasPerm, IntegerField, list_filter_parameters, list_filters
from smevoucher.core.errors import ValidationFailed
from smevoucher.notices.api import NoticeOutput

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
    scans_current = serializers.BooleanField(
        source="scans_are_current", read_only=True, help_text="Both stamped scans are of the current form version."
    )

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
            "form_version",
            "scans_current",
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
    form_version = IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="The form version the scans were printed from; refused if the lines changed since.",
    )


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

    @extend_schema(
        parameters=list_filter_parameters("Application number or provider.", Application.Status.choices),
        responses=RedemptionOutput(many=True),
    )
    def get(self, request):
        """A provider's own applications; a city unit's those submitted to it."""
        if not request.user.has_perm("redemption.list_applications"):
            raise PermissionDenied
        filters = list_filters(request, Application.Status.choices)
        page = self.paginate_queryset(selectors.applications_filtered(filters, self.get_queryset()))
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
            form_version=data["form_version"],
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


class VerifyOutput(serializers.Serializer):
    application = IntegerField(source="application.pk")
    number = serializers.CharField(source="application.number")
    provider_name = serializers.CharField(source="application.provider.organisation.name")
    status = serializers.CharField(source="application.status")
    version = IntegerField(source="number", help_text="The version of the forms this code was printed on.")
    total_fen = FenField(help_text="The total of that version.")
    lines = serializers.ListField(
        child=serializers.ListField(child=IntegerField()), help_text="[payment id, voucher fen] of that version."
    )
    current = serializers.BooleanField(
        source="is_current", help_text="False: the payments changed after this form was printed."
    )
    current_version = IntegerField(source="application.form_version")
    current_total_fen = FenField(source="application.total_fen")
    superseded_at = serializers.DateTimeField(allow_null=True)


class RedemptionVerifyView(APIView):
    permission_classes = [HasPerm.of("redemption.verify_code")]

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True, description="The code printed on the form.")],
        responses=VerifyOutput,
    )
    def get(self, request):
        """A city unit looks up a printed form's verification code: which application and version it belongs to,
        and whether that version is still the current one. Codes of other cities answer 404."""
        code = request.query_params.get("code", "").strip()
        if not code or len(code) > 12:
            raise ValidationFailed(fields={"code": [_("Enter the verification code printed on the form.")]})
        found = selectors.form_version_by_code(user=request.user, code=code)
        if found is None:
            raise Http404
        return Response(VerifyOutput(found).data)


class PublishResultsOutput(serializers.Serializer):
    notice = NoticeOutput(allow_null=True)


class RedemptionPublishResultsView(APIView):
    permission_classes = [HasPerm.of("redemption.publish_results")]

    @extend_schema(request=None, responses={201: PublishResultsOutput, 200: PublishResultsOutput})
    def post(self, request):
        """The unit publishes its city's decided applications not yet published, as one notice (201). Nothing new
        to publish: 200 with `notice` null."""
        notice = services.results_publish(actor=request.user)
        code = status.HTTP_200_OK if notice is None else status.HTTP_201_CREATED
        return Response(PublishResultsOutput({"notice": notice}).data, status=code)
