from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City
from smevoucher.accounts.serializers import CitySerializer
from smevoucher.core.api import list_filter_parameters, list_filters
from smevoucher.core.parsers import JSONParser
from smevoucher.core.ratelimits import limited

from . import selectors, services
from .models import Enterprise, EnterpriseChangeRequest, Industry, Size


class SignUpInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=24)
    city = serializers.SlugRelatedField(
        slug_field="code", queryset=City.objects.all(), help_text=_("GB/T 2260 code of the city, e.g. 440100")
    )
    size = serializers.ChoiceField(choices=Size.choices)
    industry = serializers.ChoiceField(choices=Industry.choices)
    legal_representative = serializers.CharField(max_length=60)
    # Issue 17: asked for, not required (clients written before it keep working); the service checks the form.
    legal_rep_id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, write_only=True)
    registered_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=60)
    contact_phone = serializers.CharField(max_length=40)
    contact_email = serializers.EmailField()
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    licence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="The business licence, files in merge order (multipart), as the sign-up page requires.",
    )


class EnterpriseOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name")
    city = CitySerializer()
    priority_tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "city",
            "size",
            "industry",
            "legal_representative",
            "legal_rep_id_last4",
            "registered_address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "status",
            "review_note",
            "suspension_reason",
            "licence",
            "priority_tags",
            "created_at",
        ]


@method_decorator(limited("signup"), name="post")
class EnterpriseListView(GenericAPIView):
    serializer_class = EnterpriseOutput
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        parameters=list_filter_parameters("Name or credit code.", Enterprise.Status.choices),
        responses=EnterpriseOutput(many=True),
    )
    def get(self, request):
        """Enterprises the caller may see: its own, or those in the unit's remit."""
        filters = list_filters(request, Enterprise.Status.choices)
        enterprises = selectors.enterprises_filtered(filters, selectors.enterprises_visible_to(request.user))
        page = self.paginate_queryset(enterprises.order_by("pk"))
        return self.get_paginated_response(EnterpriseOutput(page, many=True).data)

    @extend_schema(
        request={"application/json": SignUpInput, "multipart/form-data": SignUpInput},
        responses={201: EnterpriseOutput},
    )
    def post(self, request):
        """Enterprise sign-up (R0): creates the enterprise and its administrator account; in a multipart call
        with `licence` files, its business licence too, in one step like the page."""
        raw = {key: request.data.get(key) for key in request.data if key != "licence"}
        if request.FILES.getlist("licence"):
            raw["licence"] = request.FILES.getlist("licence")
        data = SignUpInput(data=raw)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enterprise = services.enterprise_sign_up(licence_files=values.pop("licence", None), **values)
        return Response(EnterpriseOutput(enterprise).data, status=status.HTTP_201_CREATED)


class EnterpriseDetailView(APIView):
    @extend_schema(responses=EnterpriseOutput)
    def get(self, request, pk: int):
        return Response(EnterpriseOutput(selectors.enterprise_get_for(user=request.user, enterprise_id=pk)).data)


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class TagsInput(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(), allow_empty=True)


class EnterpriseApproveView(APIView):
    @extend_schema(request=None, responses=EnterpriseOutput)
    def post(self, request, pk: int):
        """R0: the enterprise's city unit approves it."""
        return Response(EnterpriseOutput(services.enterprise_approve(actor=request.user, enterprise_id=pk)).data)


class EnterpriseReturnView(APIView):
    @extend_schema(request=ReturnInput, responses=EnterpriseOutput)
    def post(self, request, pk: int):
        """R0: the city unit returns the registration with reasons."""
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = services.enterprise_return(
            actor=request.user, enterprise_id=pk, reason=data.validated_data["reason"]
        )
        return Response(EnterpriseOutput(enterprise).data)


class EnterpriseSuspendInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class EnterpriseReinstateInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class EnterpriseSuspendView(APIView):
    @extend_schema(request=EnterpriseSuspendInput, responses=EnterpriseOutput)
    def post(self, request, pk: int):
        """Issue 15.10: the city unit suspends an approved enterprise with a reason (it cannot claim or order)."""
        data = EnterpriseSuspendInput(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = services.enterprise_suspend(
            actor=request.user, enterprise_id=pk, reason=data.validated_data["reason"]
        )
        return Response(EnterpriseOutput(enterprise).data)


class EnterpriseReinstateView(APIView):
    @extend_schema(request=EnterpriseReinstateInput, responses=EnterpriseOutput)
    def post(self, request, pk: int):
        """Issue 15.10: the city unit lifts the suspension."""
        data = EnterpriseReinstateInput(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = services.enterprise_reinstate(
            actor=request.user, enterprise_id=pk, reason=data.validated_data["reason"]
        )
        return Response(EnterpriseOutput(enterprise).data)


class EnterprisePriorityTagsView(APIView):
    @extend_schema(request=TagsInput, responses=EnterpriseOutput)
    def put(self, request, pk: int):
        """R6: set the enterprise's priority tags (codes)."""
        data = TagsInput(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = services.enterprise_set_priority_tags(
            actor=request.user, enterprise_id=pk, tag_codes=data.validated_data["tags"]
        )
        return Response(EnterpriseOutput(enterprise).data)


class EnterpriseResubmitInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    size = serializers.ChoiceField(choices=Size.choices, required=False)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False)
    legal_representative = serializers.CharField(max_length=60, required=False)
    legal_rep_id_number = serializers.CharField(max_length=30, required=False, write_only=True)
    registered_address = serializers.CharField(max_length=200, required=False)
    contact_name = serializers.CharField(max_length=60, required=False)
    contact_phone = serializers.CharField(max_length=40, required=False)
    contact_email = serializers.EmailField(required=False)
    licence = serializers.ListField(child=serializers.FileField(), required=False, help_text="Files in merge order.")


class EnterpriseSubmitView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": EnterpriseResubmitInput}, responses=EnterpriseOutput)
    def post(self, request, pk: int):
        """R0: the enterprise uploads its licence and/or corrects a returned registration and submits it again."""
        raw = {key: request.data.get(key) for key in request.data if key != "licence"}
        if request.FILES.getlist("licence"):
            raw["licence"] = request.FILES.getlist("licence")
        data = EnterpriseResubmitInput(data=raw)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enterprise = services.enterprise_resubmit(
            actor=request.user, enterprise_id=pk, licence_files=values.pop("licence", None), changes=values
        )
        return Response(EnterpriseOutput(enterprise).data)


# --- Issue 17: change requests after approval ---------------------------------------------------------------------


class EnterpriseChangeRequestOutput(serializers.ModelSerializer):
    class Meta:
        model = EnterpriseChangeRequest
        fields = [
            "id",
            "enterprise",
            "new_name",
            "new_size",
            "new_industry",
            "new_legal_representative",
            "new_legal_rep_id_last4",
            "new_registered_address",
            "new_contact_name",
            "new_contact_phone",
            "new_contact_email",
            "explanation",
            "licence",
            "old_values",
            "status",
            "reply",
            "created_at",
            "decided_at",
        ]


class EnterpriseChangeRequestInput(serializers.Serializer):
    new_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    new_size = serializers.ChoiceField(choices=Size.choices, required=False, allow_blank=True, default="")
    new_industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True, default="")
    new_legal_representative = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    new_legal_rep_id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", write_only=True
    )
    new_registered_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    new_contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    new_contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    new_contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    explanation = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    licence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="The new business licence, files in merge order (multipart); required when the name, legal "
        "representative or registered address changes.",
    )


class EnterpriseChangeRequestsView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=EnterpriseChangeRequestOutput(many=True))
    def get(self, request, pk: int):
        """Issue 17: the enterprise's change requests, newest first."""
        enterprise = selectors.enterprise_get_for(user=request.user, enterprise_id=pk)
        changes = selectors.change_requests_visible_to(request.user).filter(enterprise=enterprise)
        return Response(EnterpriseChangeRequestOutput(changes.order_by("-created_at")[:100], many=True).data)

    @extend_schema(
        request={"multipart/form-data": EnterpriseChangeRequestInput, "application/json": EnterpriseChangeRequestInput},
        responses={201: EnterpriseChangeRequestOutput},
    )
    def post(self, request, pk: int):
        """Issue 17: an approved enterprise asks its city unit to change its profile (only the given values)."""
        selectors.enterprise_get_for(user=request.user, enterprise_id=pk)
        raw = {key: request.data.get(key) for key in request.data if key != "licence"}
        if request.FILES.getlist("licence"):
            raw["licence"] = request.FILES.getlist("licence")
        data = EnterpriseChangeRequestInput(data=raw)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        change = services.enterprise_change_submit(
            actor=request.user, enterprise_id=pk, licence_files=values.pop("licence", None), **values
        )
        return Response(EnterpriseChangeRequestOutput(change).data, status=status.HTTP_201_CREATED)


class EnterpriseChangeRequestListView(GenericAPIView):
    serializer_class = EnterpriseChangeRequestOutput

    @extend_schema(responses=EnterpriseChangeRequestOutput(many=True))
    def get(self, request):
        """Enterprise change requests the caller may see: its own, or its unit's enterprises'; `status` filters."""
        changes = selectors.change_requests_visible_to(request.user)
        if request.query_params.get("status") in EnterpriseChangeRequest.Status.values:
            changes = changes.filter(status=request.query_params["status"])
        page = self.paginate_queryset(changes.order_by("pk"))
        return self.get_paginated_response(EnterpriseChangeRequestOutput(page, many=True).data)


class EnterpriseChangeRequestDetailView(APIView):
    @extend_schema(responses=EnterpriseChangeRequestOutput)
    def get(self, request, pk: int):
        change = selectors.change_request_get_for(user=request.user, request_id=pk)
        return Response(EnterpriseChangeRequestOutput(change).data)


class EnterpriseChangeDecisionInput(serializers.Serializer):
    reply = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EnterpriseChangeDecisionView(APIView):
    decision = "apply"

    @extend_schema(request=EnterpriseChangeDecisionInput, responses=EnterpriseChangeRequestOutput)
    def post(self, request, pk: int):
        """Issue 17: the enterprise's city unit applies the request, or refuses it with a reply."""
        data = EnterpriseChangeDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.enterprise_change_apply if self.decision == "apply" else services.enterprise_change_refuse
        change = service(actor=request.user, request_id=pk, reply=data.validated_data["reply"])
        return Response(EnterpriseChangeRequestOutput(change).data)
