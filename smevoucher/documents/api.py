from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import HasPerm

from . import selectors, services
from .models import Document, Kind
from .views import file_response


class UploadInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False, help_text="In merge order.")


class DocumentOutput(serializers.ModelSerializer):
    findings = serializers.SerializerMethodField()
    replaces = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "organisation",
            "kind",
            "filename",
            "content_type",
            "size",
            "page_count",
            "sha256",
            "replaces",
            "uploaded_at",
            "findings",
        ]

    def get_findings(self, document) -> list[str]:
        """Reviewers only: empty for the uploader and for organisations the document is shared with."""
        request = self.context.get("request")
        return selectors.findings_for(document, viewer=request.user) if request else []


class DocumentListView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [HasPerm.of("documents.upload_document")]

    @extend_schema(request={"multipart/form-data": UploadInput}, responses={201: DocumentOutput})
    def post(self, request):
        """Upload one material: `files` in the order to merge them, and its `kind`."""
        data = UploadInput(data={"kind": request.data.get("kind"), "files": request.FILES.getlist("files")})
        data.is_valid(raise_exception=True)
        document = services.document_upload(
            actor=request.user, kind=data.validated_data["kind"], files=data.validated_data["files"]
        )
        return Response(DocumentOutput(document, context={"request": request}).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(responses=DocumentOutput)
    def get(self, request, pk: int):
        document = selectors.document_get_for(user=request.user, document_id=pk)
        return Response(DocumentOutput(document, context={"request": request}).data)


class DocumentDownloadView(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        return file_response(selectors.document_get_for(user=request.user, document_id=pk))


class ReplaceInput(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False, help_text="In merge order.")


class DocumentReplaceView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ReplaceInput}, responses={201: DocumentOutput})
    def post(self, request, pk: int):
        """Upload a new version of a material (same kind, same checks); the replaced version is kept. Only the
        current version can be replaced, by who may replace it (the page's rule)."""
        document = selectors.document_get_for(user=request.user, document_id=pk)
        data = ReplaceInput(data={"files": request.FILES.getlist("files")})
        data.is_valid(raise_exception=True)
        new = services.document_replace(actor=request.user, document_id=document.pk, files=data.validated_data["files"])
        return Response(DocumentOutput(new, context={"request": request}).data, status=status.HTTP_201_CREATED)
