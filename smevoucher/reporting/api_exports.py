"""`POST /api/v1/exports/` (kind + format + filters → a job), `GET /api/v1/exports/` (the caller's jobs),
`GET /api/v1/exports/{id}/` (status, progress, file) and `GET /api/v1/exports/{id}/download/`; a job is its
owner's only: anyone else gets 404."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core import api as core_api

from . import export_jobs, exports
from .models import ExportJob
from .views_exports import file_response


class ExportFilters(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="First day (Asia/Shanghai)")
    until = serializers.DateField(required=False, help_text="Last day (Asia/Shanghai)")
    status = serializers.CharField(required=False, help_text="A status code of the exported objects")
    batch = core_api.IntegerField(required=False)
    city = core_api.IntegerField(required=False, help_text="Province unit only: one city's rows")
    object_type = serializers.CharField(required=False, help_text="Audit trail only")
    object_id = serializers.CharField(required=False, help_text="Audit trail only")
    actor = serializers.CharField(required=False, help_text="Audit trail only: user name")
    action = serializers.CharField(required=False, help_text="Audit trail only: action code or prefix")


class ExportInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(exports.KINDS))
    format = serializers.ChoiceField(choices=ExportJob.Format.choices, default="xlsx")
    filters = ExportFilters(required=False)


class ExportOutput(serializers.ModelSerializer):
    progress = core_api.IntegerField(source="percent", help_text="Per cent done, 0–100")
    file = serializers.SerializerMethodField(help_text="Download URL once done (owner only), else null")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "format",
            "filters",
            "status",
            "progress",
            "total_rows",
            "row_count",
            "file",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_file(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("api:export-download", args=[job.pk])


class ExportListView(APIView):
    @extend_schema(responses=ExportOutput(many=True))
    def get(self, request):
        return Response(ExportOutput(export_jobs.jobs_of(request.user)[:50], many=True).data)

    @extend_schema(request=ExportInput, responses={202: ExportOutput})
    def post(self, request):
        raw = request.data if isinstance(request.data, dict) else {}
        data = ExportInput(data=raw)
        data.is_valid(raise_exception=True)
        filters = raw.get("filters") or {}
        job = export_jobs.export_request(
            actor=request.user, kind=data.validated_data["kind"], fmt=data.validated_data["format"], filters=filters
        )
        job.refresh_from_db()  # with tasks in-process the file may already be written
        return Response(ExportOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    @extend_schema(responses=ExportOutput)
    def get(self, request, pk: int):
        return Response(ExportOutput(export_jobs.job_get_for(user=request.user, job_id=pk)).data)


class ExportDownloadView(APIView):
    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request, pk: int):
        return file_response(export_jobs.job_get_for(user=request.user, job_id=pk))
