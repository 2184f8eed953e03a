from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.accounts.models import City, Organisation
from smevoucher.accounts.services import unit_contacts_update
from smevoucher.core.api import HasPerm, list_filter_parameters, list_filters
from smevoucher.core.replica import read_replica
from smevoucher.documents.models import Document
from smevoucher.documents.views import file_response

from . import selectors, services
from .models import EmailPreference, Notice, Notification


class NoticeOutput(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    publisher = serializers.CharField(source="publisher.name")
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "category",
            "title",
            "body",
            "city",
            "publisher",
            "published_at",
            "expires_at",
            "pinned",
            "attachments",
        ]

    def get_attachments(self, notice) -> list[dict]:
        return [
            {
                "id": d.pk,
                "filename": d.filename,
                "pages": d.page_count,
                "size": d.size,
                "url": f"/api/v1/notices/{notice.pk}/attachments/{d.pk}/",
            }
            for d in notice.attachments.all()
        ]


class NoticeInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=Notice.Category.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all(), required=False, allow_null=True)
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    pinned = serializers.BooleanField(required=False, default=False)
    attachments = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(),
        many=True,
        required=False,
        help_text="Ids of materials the unit uploaded through documents/ (kind notice_attachment).",
    )


class NoticeListView(GenericAPIView):
    serializer_class = NoticeOutput

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasPerm.of("notices.publish_notice")()]
        return [AllowAny()]

    @extend_schema(
        parameters=[OpenApiParameter("city", str), OpenApiParameter("category", str), OpenApiParameter("q", str)],
        responses=NoticeOutput(many=True),
    )
    @read_replica()  # a heavy public list: the replica serves it when there is one
    def get(self, request):
        """The public notice board: published, not expired, pinned first."""
        notices = selectors.filter_notices(
            selectors.public_notices().prefetch_related("attachments"),
            city_code=request.query_params.get("city", ""),
            category=request.query_params.get("category", ""),
            query=request.query_params.get("q", "").strip(),
        )
        page = self.paginate_queryset(notices)
        return self.get_paginated_response(NoticeOutput(page, many=True).data)

    @extend_schema(request=NoticeInput, responses={201: NoticeOutput})
    def post(self, request):
        """Publish a notice (province unit: any city or province-wide; city unit: its city)."""
        data = NoticeInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.notice_publish(actor=request.user, **data.validated_data)
        return Response(NoticeOutput(notice).data, status=status.HTTP_201_CREATED)


class NoticeUpdateInput(serializers.Serializer):
    """Only the fields sent change (PATCH); the others keep their values."""

    category = serializers.ChoiceField(choices=Notice.Category.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    pinned = serializers.BooleanField(required=False)


class NoticeDetailView(APIView):
    def get_permissions(self):
        if self.request.method == "PATCH":
            return [HasPerm.of("notices.publish_notice")()]
        return [AllowAny()]

    @extend_schema(responses=NoticeOutput)
    def get(self, request, pk: int):
        return Response(NoticeOutput(selectors.public_notice_get(pk)).data)

    @extend_schema(request=NoticeUpdateInput, responses=NoticeOutput)
    def patch(self, request, pk: int):
        """Correct a notice the caller's unit published (the page `notices:edit`); the audit log keeps the old
        text. A notice of another unit answers 404."""
        data = NoticeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.notices_managed_by(request.user).filter(pk=pk).first()
        if notice is None:
            raise Http404
        current = {f: getattr(notice, f) for f in ("category", "title", "body", "expires_at", "pinned")}
        notice = services.notice_update(actor=request.user, notice_id=pk, **(current | data.validated_data))
        return Response(NoticeOutput(notice).data)


class NoticeWithdrawView(APIView):
    permission_classes = [HasPerm.of("notices.publish_notice")]

    @extend_schema(request=None, responses=NoticeOutput)
    def post(self, request, pk: int):
        """Take a notice off the public board now (the page's withdraw button); nothing is deleted."""
        return Response(NoticeOutput(services.notice_withdraw(actor=request.user, notice_id=pk)).data)


class NoticeAttachmentView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, document_id: int):
        notice = selectors.public_notice_get(pk)
        return file_response(get_object_or_404(notice.attachments, pk=document_id))


class NotificationOutput(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "object_type", "object_id", "created_at", "read_at"]


class NotificationListView(GenericAPIView):
    serializer_class = NotificationOutput

    @extend_schema(
        parameters=[
            *list_filter_parameters("Title.", selectors.notification_states()),
            OpenApiParameter("unread", bool, description="Only the unread ones (as status=unread)."),
        ],
        responses=NotificationOutput(many=True),
    )
    def get(self, request):
        """The caller's own notifications, newest first; `unread_count` counts the unread ones up to 100 (100 means
        100 or more, shown as 99+)."""
        filters = list_filters(request, selectors.notification_states())
        notifications = selectors.notifications_filtered(filters, selectors.notifications_of(request.user))
        if request.query_params.get("unread") in {"1", "true"}:
            notifications = notifications.filter(read_at__isnull=True)
        page = self.paginate_queryset(notifications)
        response = self.get_paginated_response(NotificationOutput(page, many=True).data)
        response.data["unread_count"] = selectors.unread_count(request.user)
        return response


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, pk: int):
        return Response(NotificationOutput(services.notification_mark_read(user=request.user, notification_id=pk)).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


# --- Help-centre contacts and e-mail preferences (the pages `notices:contacts_edit` and `notices:preferences`) --


class HelpContactOutput(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "city", "contact_person", "email", "phone"]


class HelpContactInput(serializers.Serializer):
    contact_person = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class HelpContactsView(APIView):
    def get_permissions(self):
        if self.request.method == "PUT":
            return [HasPerm.of("notices.edit_contacts")()]
        return [AllowAny()]

    @extend_schema(responses=HelpContactOutput(many=True))
    def get(self, request):
        """The handling units' contacts, as the help centre shows them (public)."""
        return Response(HelpContactOutput(selectors.unit_contacts(), many=True).data)

    @extend_schema(request=HelpContactInput, responses=HelpContactOutput)
    def put(self, request):
        """A unit sets its own contacts (at least an e-mail address or a telephone number); audited."""
        data = HelpContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(HelpContactOutput(unit_contacts_update(actor=request.user, **data.validated_data)).data)


class PreferencesSerializer(serializers.Serializer):
    groups = serializers.ListField(
        child=serializers.ChoiceField(choices=EmailPreference.Group.choices),
        allow_empty=True,
        help_text="The groups of events the caller receives e-mail about; in-app notifications always arrive.",
    )


class PreferencesView(APIView):
    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response({"groups": selectors.email_groups_on(request.user)})

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request):
        """E-mail for exactly these groups, none for the others."""
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.email_preferences_set(user=request.user, groups_on=set(data.validated_data["groups"]))
        return Response({"groups": selectors.email_groups_on(request.user)})
