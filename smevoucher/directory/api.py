from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City
from smevoucher.core.api import HasPerm, IntegerField

from . import selectors, services
from .models import Entry, Level


class EntryOutput(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Entry
        fields = ["id", "name", "level", "city", "recognition_year", "valid_until", "source", "active"]


class CheckOutput(serializers.Serializer):
    eligible = serializers.BooleanField()
    code = serializers.ChoiceField(choices=["eligible", "not_listed", "expired", "inactive", "registered", "empty"])
    message = serializers.CharField()
    entry = EntryOutput(allow_null=True)


class DirectoryCheckView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(parameters=[OpenApiParameter("name", str, required=True)], responses=CheckOutput)
    def get(self, request):
        """R1 eligibility look-up: may this full name register? Public, like the page."""
        result = selectors.eligibility(request.query_params.get("name", ""))
        entry = result.entry if result.code in ("eligible", "expired", "inactive") else None
        return Response(
            {
                "eligible": result.eligible,
                "code": result.code,
                "message": result.message,
                "entry": EntryOutput(entry).data if entry else None,
            }
        )


class EntryInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=Level.choices)
    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all(), required=False, allow_null=True)
    recognition_year = IntegerField()
    valid_until = serializers.DateField()
    source = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EntryListView(GenericAPIView):
    permission_classes = [HasPerm.of("directory.view_directory")]
    serializer_class = EntryOutput

    @extend_schema(responses=EntryOutput(many=True))
    def get(self, request):
        """The directory (units only); `q`, `level`, `state` (valid|expired|inactive) filter it."""
        entries = selectors.entries_for_list(
            query=request.query_params.get("q", ""),
            level=request.query_params.get("level", ""),
            state=request.query_params.get("state", ""),
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(EntryOutput(page, many=True).data)

    @extend_schema(request=EntryInput, responses={201: EntryOutput})
    def post(self, request):
        """Add an entry (province unit)."""
        data = EntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_create(actor=request.user, **{"city": None, **data.validated_data})
        return Response(EntryOutput(entry).data, status=201)


class EntryDetailView(APIView):
    permission_classes = [HasPerm.of("directory.view_directory")]

    @extend_schema(request=EntryInput, responses=EntryOutput)
    def put(self, request, pk: int):
        """Correct an entry (province unit)."""
        data = EntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_update(actor=request.user, entry_id=pk, **{"city": None, **data.validated_data})
        return Response(EntryOutput(entry).data)


class ActiveInput(serializers.Serializer):
    active = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class EntryActiveView(APIView):
    permission_classes = [HasPerm.of("directory.view_directory")]

    @extend_schema(request=ActiveInput, responses=EntryOutput)
    def post(self, request, pk: int):
        """Deactivate (or reactivate) an entry (province unit)."""
        data = ActiveInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_set_active(actor=request.user, entry_id=pk, **data.validated_data)
        return Response(EntryOutput(entry).data)
