from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City
from smevoucher.core.api import HasPerm, IntegerField

from . import selectors, services, sheets
from .models import Entry, Import, Level

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


# --- Import from a sheet (issue 13: the same check, preview and confirmation as the page) ----------------------


class ImportUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="The filled-in template (.xlsx).")


class ImportRowOutput(serializers.Serializer):
    row = IntegerField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    valid_until = serializers.DateField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])


class ImportErrorOutput(serializers.Serializer):
    row = IntegerField()
    name = serializers.CharField(required=False)
    message = serializers.CharField()


class ImportOutput(serializers.Serializer):
    id = IntegerField()
    filename = serializers.CharField()
    status = serializers.CharField()
    total_rows = IntegerField()
    processed_rows = IntegerField()
    errors = ImportErrorOutput(many=True)
    counts = serializers.DictField(child=IntegerField(), help_text="Rows to create, update, leave.")
    rows = ImportRowOutput(many=True, help_text="The first rows of each kind (create, update) to read first.")
    created = IntegerField()
    updated = IntegerField()


def _import_output(import_id: int) -> dict:
    job = Import.objects.defer("content", "rows").get(pk=import_id)
    preview = selectors.import_preview(job.pk) if job.status == Import.Status.READY else None
    return {
        "id": job.pk,
        "filename": job.filename,
        "status": job.status,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "errors": job.errors[:500],
        "counts": preview["counts"] if preview else {},
        "rows": [row for action in ("create", "update") for row in preview["rows"][action]] if preview else [],
        "created": job.created,
        "updated": job.updated,
    }


class ImportListView(APIView):
    permission_classes = [HasPerm.of("directory.manage_directory")]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ImportOutput(many=True))
    def get(self, request):
        """The 20 latest sheets uploaded, newest first, with where each stands (checking, ready, failed, done)."""
        ids = Import.objects.order_by("-pk").values_list("pk", flat=True)[:20]
        return Response(ImportOutput([_import_output(pk) for pk in ids], many=True).data)

    @extend_schema(request={"multipart/form-data": ImportUploadInput}, responses={201: ImportOutput})
    def post(self, request):
        """Upload a sheet: every row is checked (the template's example row is refused); nothing is saved until
        `apply`. The answer (and `GET import/{id}/`) lists the errors, or the rows that will be added or updated."""
        data = ImportUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = services.directory_import_upload(actor=request.user, filename=upload.name, content=upload.read())
        return Response(ImportOutput(_import_output(job.pk)).data, status=201)


class ImportDetailView(APIView):
    permission_classes = [HasPerm.of("directory.manage_directory")]

    @extend_schema(responses=ImportOutput)
    def get(self, request, pk: int):
        if not Import.objects.filter(pk=pk).exists():
            raise Http404
        return Response(ImportOutput(_import_output(pk)).data)


class ImportApplyView(APIView):
    permission_classes = [HasPerm.of("directory.manage_directory")]

    @extend_schema(request=None, responses=ImportOutput)
    def post(self, request, pk: int):
        """Confirm a sheet checked without errors: its rows go into the directory in one transaction."""
        job = services.directory_import_apply(actor=request.user, import_id=pk)
        return Response(ImportOutput(_import_output(job.pk)).data)


class TemplateView(APIView):
    permission_classes = [HasPerm.of("directory.manage_directory")]

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request):
        """The sheet to fill in for `directory/import/` (the page's template download)."""
        response = HttpResponse(sheets.template_bytes(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="directory-template.xlsx"'
        return response
