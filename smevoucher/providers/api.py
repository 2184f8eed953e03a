from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City
from smevoucher.accounts.serializers import CitySerializer
from smevoucher.core.parsers import JSONParser
from smevoucher.core.ratelimits import limited

from . import selectors, services
from .models import ChangeRequest, Provider


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
        ]

    def get_service_scope(self, provider) -> list[str]:
        """R2: codes of the cities whose enterprises it may serve."""
        return list(selectors.service_cities(provider).values_list("code", flat=True))

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

    @extend_schema(responses=ProviderOutput(many=True))
    def get(self, request):
        """Providers the caller may see: itself, or the registrations in the unit's remit."""
        providers = selectors.providers_visible_to(request.user)
        if request.query_params.get("status") in Provider.Status.values:
            providers = providers.filter(status=request.query_params["status"])
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
