import json

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City
from smevoucher.accounts.serializers import CitySerializer
from smevoucher.core.api import IntegerField, list_filter_parameters, list_filters
from smevoucher.core.parsers import JSONParser
from smevoucher.core.ratelimits import limited

from . import selectors, services
from .letter_template import FILENAME as LETTER_FILENAME
from .letter_template import commitment_letter_pdf
from .models import ChangeRequest, LetterRenewal, Provider, Suspension


class ProviderOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name")
    city = CitySerializer()
    service_scope = serializers.SerializerMethodField()
    may_receive_vouchers = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "level",
            "city",
            "entry",
            "uscc",
            "legal_representative",
            "legal_rep_id_last4",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
            "bank_name",
            "bank_account_name",
            "bank_account",
            "commitment_date",
            "licence",
            "commitment_letter",
            "status",
            "review_note",
            "checklist",
            "submitted_at",
            "decided_at",
            "service_scope",
            "may_receive_vouchers",
            "suspended_until",
        ]

    def get_service_scope(self, provider) -> list[str]:
        """R2: codes of the cities whose enterprises it may serve."""
        return selectors.service_city_codes(provider, self.context)

    def get_may_receive_vouchers(self, provider) -> bool:
        return selectors.may_receive_vouchers(provider)


class ProfileInput(serializers.Serializer):
    uscc = serializers.CharField(max_length=24)
    legal_representative = serializers.CharField(max_length=60)
    legal_rep_id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, write_only=True)
    contact_name = serializers.CharField(max_length=60)
    contact_phone = serializers.CharField(max_length=40)
    contact_email = serializers.EmailField()
    address = serializers.CharField(max_length=200)
    bank_name = serializers.CharField(max_length=100)
    bank_account_name = serializers.CharField(max_length=200)
    bank_account = serializers.CharField(max_length=40)
    commitment_date = serializers.DateField()


class RegisterInput(ProfileInput):
    name = serializers.CharField(max_length=200)
    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all(), required=False, allow_null=True)
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    licence = serializers.ListField(child=serializers.FileField(), help_text="Files in merge order.")
    commitment_letter = serializers.ListField(child=serializers.FileField(), help_text="Files in merge order.")


def _multipart(request, file_fields):
    data = {key: request.data.get(key) for key in request.data if key not in file_fields}
    for field in file_fields:
        files = request.FILES.getlist(field)
        if files:
            data[field] = files
    return data


@method_decorator(limited("signup"), name="post")
class ProviderListView(GenericAPIView):
    serializer_class = ProviderOutput
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        parameters=list_filter_parameters("Full name or credit code.", Provider.Status.choices),
        responses=ProviderOutput(many=True),
    )
    def get(self, request):
        """Providers the caller may see: itself, or the registrations in the unit's remit."""
        filters = list_filters(request, Provider.Status.choices)
        providers = selectors.providers_filtered(filters, selectors.providers_visible_to(request.user))
        page = self.paginate_queryset(providers.order_by("pk"))
        return self.get_paginated_response(ProviderOutput(page, many=True).data)

    @extend_schema(request={"multipart/form-data": RegisterInput}, responses={201: ProviderOutput})
    def post(self, request):
        """Register (R1, R3): an eligible full name, the data, and the two materials; creates the account."""
        data = RegisterInput(data=_multipart(request, ["licence", "commitment_letter"]))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["licence_files"] = values.pop("licence")
        values["commitment_files"] = values.pop("commitment_letter")
        values.setdefault("city", None)
        provider = services.provider_register(**values)
        return Response(ProviderOutput(provider).data, status=status.HTTP_201_CREATED)


class ProviderDetailView(APIView):
    @extend_schema(responses=ProviderOutput)
    def get(self, request, pk: int):
        return Response(ProviderOutput(selectors.provider_get_for(user=request.user, provider_id=pk)).data)


class ProviderSubmitInput(ProfileInput):
    licence = serializers.ListField(child=serializers.FileField(), required=False)
    commitment_letter = serializers.ListField(child=serializers.FileField(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("licence", "commitment_letter"):
                field.required = False


class ProviderSubmitView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": ProviderSubmitInput}, responses=ProviderOutput)
    def post(self, request, pk: int):
        """The provider submits a returned registration again, with any corrected fields and materials."""
        data = ProviderSubmitInput(data=_multipart(request, ["licence", "commitment_letter"]))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        provider = services.provider_submit(
            actor=request.user,
            provider_id=pk,
            licence_files=values.pop("licence", None),
            commitment_files=values.pop("commitment_letter", None),
            changes=values,
        )
        return Response(ProviderOutput(provider).data)


class ProviderSuspendInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)
    until = serializers.DateField(help_text="The last day of the suspension (inclusive).")


class ProviderReinstateInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class SuspensionOutput(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name")
    unit_name = serializers.CharField(source="unit.name")

    class Meta:
        model = Suspension
        fields = ["id", "provider", "provider_name", "unit", "unit_name", "reason", "until", "created_at"]
        fields += ["lifted_at", "lift_reason"]


class ProviderSuspendView(APIView):
    @extend_schema(request=ProviderSuspendInput, responses=SuspensionOutput)
    def post(self, request, pk: int):
        """Manual 三: the reviewing unit (or the province) suspends the provider through `until` with a reason:
        it cannot confirm orders or receive vouchers and its products leave the catalogue."""
        data = ProviderSuspendInput(data=request.data)
        data.is_valid(raise_exception=True)
        suspension = services.provider_suspend(actor=request.user, provider_id=pk, **data.validated_data)
        return Response(SuspensionOutput(suspension).data, status=status.HTTP_201_CREATED)


class ProviderReinstateView(APIView):
    @extend_schema(request=ProviderReinstateInput, responses=ProviderOutput)
    def post(self, request, pk: int):
        """Manual 三: end the running suspension early."""
        data = ProviderReinstateInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = services.provider_reinstate(actor=request.user, provider_id=pk, **data.validated_data)
        return Response(ProviderOutput(provider).data)


class SuspensionListView(GenericAPIView):
    serializer_class = SuspensionOutput

    @extend_schema(responses=SuspensionOutput(many=True))
    def get(self, request):
        """Manual 三: the violations record; the province sees all, a city unit those of providers it reviews."""
        page = self.paginate_queryset(selectors.suspensions_visible_to(request.user).order_by("-created_at", "-pk"))
        return self.get_paginated_response(SuspensionOutput(page, many=True).data)


class ProviderChecklistInput(serializers.Serializer):
    hand_signature = serializers.BooleanField(default=False)
    seal_legible = serializers.BooleanField(default=False)
    date_current_year = serializers.BooleanField(default=False)


class ProviderApproveInput(serializers.Serializer):
    checklist = ProviderChecklistInput()


class ProviderReturnInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    checklist = ProviderChecklistInput(required=False)


class ProviderApproveView(APIView):
    @extend_schema(request=ProviderApproveInput, responses=ProviderOutput)
    def post(self, request, pk: int):
        """R4: the reviewing unit approves, with every checklist item ticked (R3)."""
        data = ProviderApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = services.provider_approve(
            actor=request.user, provider_id=pk, checklist=data.validated_data["checklist"]
        )
        return Response(ProviderOutput(provider).data)


class ProviderReturnView(APIView):
    @extend_schema(request=ProviderReturnInput, responses=ProviderOutput)
    def post(self, request, pk: int):
        """R4: the reviewing unit returns the registration with reasons."""
        data = ProviderReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = services.provider_return(
            actor=request.user,
            provider_id=pk,
            reason=data.validated_data["reason"],
            checklist=data.validated_data.get("checklist"),
        )
        return Response(ProviderOutput(provider).data)


class ChangeRequestOutput(serializers.ModelSerializer):
    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "provider",
            "new_name",
            "new_username",
            "new_contact_name",
            "new_contact_phone",
            "new_contact_email",
            "new_legal_representative",
            "new_legal_rep_id_last4",
            "new_address",
            "new_bank_name",
            "new_bank_account_name",
            "new_bank_account",
            "explanation",
            "proof",
            "old_values",
            "status",
            "reply",
            "created_at",
            "decided_at",
        ]


class ChangeRequestInput(serializers.Serializer):
    new_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    new_username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150, required=False, allow_blank=True, default="")
    new_contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    new_contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    new_contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    new_legal_representative = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    new_legal_rep_id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    new_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    new_bank_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    new_bank_account_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    new_bank_account = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    proof = serializers.ListField(child=serializers.FileField(), help_text="Files in merge order.")


class ProviderChangeRequestsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ChangeRequestOutput(many=True))
    def get(self, request, pk: int):
        provider = selectors.provider_get_for(user=request.user, provider_id=pk)
        return Response(ChangeRequestOutput(provider.change_requests.all(), many=True).data)

    @extend_schema(request={"multipart/form-data": ChangeRequestInput}, responses={201: ChangeRequestOutput})
    def post(self, request, pk: int):
        """R4: an approved provider asks to change its name, user name or contact, with scanned proof."""
        selectors.provider_get_for(user=request.user, provider_id=pk)
        data = ChangeRequestInput(data=_multipart(request, ["proof"]))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        change = services.change_request_submit(
            actor=request.user, provider_id=pk, proof_files=values.pop("proof"), **values
        )
        return Response(ChangeRequestOutput(change).data, status=status.HTTP_201_CREATED)


class ChangeRequestListView(GenericAPIView):
    serializer_class = ChangeRequestOutput

    @extend_schema(responses=ChangeRequestOutput(many=True))
    def get(self, request):
        """Change requests the caller may see: its own, or those its unit decides (R4); `status` filters."""
        changes = selectors.change_requests_visible_to(request.user)
        if request.query_params.get("status") in ChangeRequest.Status.values:
            changes = changes.filter(status=request.query_params["status"])
        page = self.paginate_queryset(changes.order_by("pk"))
        return self.get_paginated_response(ChangeRequestOutput(page, many=True).data)


class ChangeDecisionInput(serializers.Serializer):
    reply = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeRequestDecisionView(APIView):
    decision = "apply"

    @extend_schema(request=ChangeDecisionInput, responses=ChangeRequestOutput)
    def post(self, request, pk: int):
        """R4: the reviewing unit applies or refuses (with a reply) a change request."""
        data = ChangeDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.change_request_apply if self.decision == "apply" else services.change_request_refuse
        change = service(actor=request.user, request_id=pk, reply=data.validated_data["reply"])
        return Response(ChangeRequestOutput(change).data)


# --- R3 each year: the commitment letter template and its renewal --------------------------------------------------


class PDFRenderer(BaseRenderer):
    """The letter template is a PDF; a refusal is still the JSON error body."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()


class CommitmentLetterTemplateView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("name", str, description="An eligible full name (when not logged in).")],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        """The commitment letter template (R3) as a PDF, prefilled with the caller's (or an eligible) name."""
        pdf = commitment_letter_pdf(request.user, request.query_params.get("name", ""))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{LETTER_FILENAME}"
        return response


class LetterRenewalOutput(serializers.ModelSerializer):
    id = IntegerField()
    provider = IntegerField(source="provider_id")
    year = IntegerField()
    letter = IntegerField(source="letter_id")

    class Meta:
        model = LetterRenewal
        fields = [
            "id",
            "provider",
            "year",
            "commitment_date",
            "letter",
            "status",
            "review_note",
            "checklist",
            "submitted_at",
            "decided_at",
        ]


class LetterRenewalInput(serializers.Serializer):
    commitment_date = serializers.DateField()
    letter = serializers.ListField(child=serializers.FileField(), help_text="Files in merge order.")


class ProviderLettersView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=LetterRenewalOutput(many=True))
    def get(self, request, pk: int):
        """The provider's renewed commitment letters, newest first."""
        provider = selectors.provider_get_for(user=request.user, provider_id=pk)
        return Response(LetterRenewalOutput(provider.letter_renewals.all()[:50], many=True).data)

    @extend_schema(request={"multipart/form-data": LetterRenewalInput}, responses={201: LetterRenewalOutput})
    def post(self, request, pk: int):
        """R3 each year: upload the commitment letter dated in the current year; the reviewing unit checks it."""
        selectors.provider_get_for(user=request.user, provider_id=pk)
        data = LetterRenewalInput(data=_multipart(request, ["letter"]))
        data.is_valid(raise_exception=True)
        renewal = services.letter_renewal_submit(
            actor=request.user,
            provider_id=pk,
            commitment_date=data.validated_data["commitment_date"],
            letter_files=data.validated_data["letter"],
        )
        return Response(LetterRenewalOutput(renewal).data, status=status.HTTP_201_CREATED)


class LetterRenewalListView(GenericAPIView):
    serializer_class = LetterRenewalOutput

    @extend_schema(responses=LetterRenewalOutput(many=True))
    def get(self, request):
        """Renewed letters the caller may see: its own, or those its unit reviews; `status` filters."""
        renewals = selectors.letter_renewals_visible_to(request.user)
        if request.query_params.get("status") in LetterRenewal.Status.values:
            renewals = renewals.filter(status=request.query_params["status"])
        page = self.paginate_queryset(renewals.order_by("pk"))
        return self.get_paginated_response(LetterRenewalOutput(page, many=True).data)


class LetterDecisionInput(serializers.Serializer):
    checklist = ProviderChecklistInput(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class LetterRenewalDecisionView(APIView):
    decision = "approve"

    @extend_schema(request=LetterDecisionInput, responses=LetterRenewalOutput)
    def post(self, request, pk: int):
        """The reviewing unit approves the letter (every checklist item ticked) or returns it with a reason."""
        selectors.letter_renewal_get_for(user=request.user, renewal_id=pk)
        data = LetterDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        if self.decision == "approve":
            renewal = services.letter_renewal_approve(
                actor=request.user, renewal_id=pk, checklist=data.validated_data.get("checklist") or {}
            )
        else:
            renewal = services.letter_renewal_return(
                actor=request.user, renewal_id=pk, reason=data.validated_data["reason"]
            )
        return Response(LetterRenewalOutput(renewal).data)
