"""`GET /api/v1/audit/`: the audit trail for city systems, scoped like the search page (a unit: its remit); anyone
else may ask for the history of one object they may see (object_type + object_id). Newest first, keyset pages
(`before` = the `next_before` of the previous page), never a count of the whole log."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core import access
from smevoucher.core import api as core_api
from smevoucher.core.replica import read_replica

from . import audit_trail

PAGE_SIZE = 100


class AuditEventOutput(serializers.Serializer):
    id = core_api.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(
        help_text="The user name at the time; empty for the system, and for another organisation's staff unless "
        "the caller is a handling unit."
    )
    organisation = serializers.CharField()
    action = serializers.CharField(help_text="The stable action code, e.g. order.confirmed.")
    action_label = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    reason = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class AuditPageOutput(serializers.Serializer):
    results = AuditEventOutput(many=True)
    next_before = core_api.IntegerField(allow_null=True, help_text="Pass as `before` for the next page.")


def event_data(event, viewer) -> dict:
    actor = event.actor_label
    if not access.is_unit_staff(viewer) and event.actor_id and event.actor.organisation_id != viewer.organisation_id:
        actor = ""  # another organisation's staff are named to the units only (as on the history panel)
    return {
        "id": event.pk,
        "at": event.at,
        "actor": actor,
        "organisation": audit_trail.organisation_name(event),
        "action": event.action,
        "action_label": audit_trail.action_label(event.action),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "reason": event.reason,
        "before": event.before,
        "after": event.after,
    }


class AuditListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("object_type", str, description="e.g. orders.order"),
            OpenApiParameter("object_id", str),
            OpenApiParameter("actor", str, description="User name"),
            OpenApiParameter("action", str, description="An action code, or a prefix ending in a dot (order.)"),
            OpenApiParameter("since", str, description="First day, YYYY-MM-DD (Asia/Shanghai)"),
            OpenApiParameter("until", str, description="Last day, YYYY-MM-DD (Asia/Shanghai)"),
            OpenApiParameter("before", int, description="Continue after this event id"),
        ],
        responses=AuditPageOutput,
    )
    @read_replica()
    def get(self, request):
        search = audit_trail.parse_search(request.query_params)
        if access.is_unit_staff(request.user):
            events = audit_trail.search_events(request.user, search)
        elif search.object_type and search.object_id:
            events = audit_trail.history_of(
                user=request.user, object_type=search.object_type, object_id=search.object_id
            )
            search.object_type = search.object_id = ""
            events = audit_trail.filter_events(events, search)
        else:
            raise PermissionDenied
        page, next_before = audit_trail.page_of(events, before=request.query_params.get("before"), size=PAGE_SIZE)
        return Response({"results": [event_data(e, request.user) for e in page], "next_before": next_before})
