"""Audit trail pages: the unit's search (scoped to its city, keyset pages, export) and an object's history panel.

The history panel is an htmx fragment served here and pulled in by the other apps' detail pages through
`reporting/_history.html` (a URL in a template, no Python import: no app imports reporting). The fragment view
checks the object's own visibility again, so the panel shows only to whoever may see the object.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from smevoucher.core import access
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.replica import read_replica

from . import audit_trail

HISTORY_SIZE = 20


def _rows(events, viewer=None):
    """The events as the page shows them. Enterprises and providers see another organisation's actions under that
    organisation's name only, not its staff's user names (units, the auditors, see both)."""
    private = viewer is not None and not access.is_unit_staff(viewer)
    rows = []
    for event in events:
        organisation = audit_trail.organisation_name(event)
        actor = audit_trail.actor_name(event)
        if private and event.actor_id and event.actor.organisation_id != viewer.organisation_id:
            actor = ""
        rows.append(
            {
                "event": event,
                "label": audit_trail.action_label(event.action),
                "actor": actor,
                "organisation": organisation,
                "object": audit_trail.object_type_label(event.object_type),
            }
        )
    return rows


@login_required
@read_replica()
def audit_search(request):
    if not access.is_unit_staff(request.user):
        raise PermissionDenied
    errors = {}
    try:
        search = audit_trail.parse_search(request.GET)
        events, next_before = audit_trail.page_of(
            audit_trail.search_events(request.user, search), before=request.GET.get("before")
        )
    except ValidationFailed as exc:
        errors, events, next_before, search = exc.fields, [], None, audit_trail.Search()
    params = request.GET.copy()
    params.pop("before", None)
    context = {
        "rows": _rows(events),
        "next_before": next_before,
        "query": params.urlencode(),
        "values": {key: request.GET.get(key, "") for key in ("object_type", "object_id", "actor", "action")},
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
        "errors": errors,
        "object_types": audit_trail.object_type_choices(),
        "actions": [(code, str(label)) for code, label in audit_trail.ACTION_LABELS.items()],
        "check": audit_trail.last_check(),
        "is_province": access.is_province_unit(request.user),
    }
    return render(request, "reporting/audit.html", context, status=400 if errors else 200)


@login_required
@read_replica()
def history(request, object_type: str, object_id: str):
    """One object's history (newest first, "show more" by keyset); 404 to whoever may not see the object."""
    events = audit_trail.history_of(user=request.user, object_type=object_type, object_id=object_id)
    try:
        page, next_before = audit_trail.page_of(events, before=request.GET.get("before"), size=HISTORY_SIZE)
    except ValidationFailed:
        page, next_before = [], None
    context = {
        "rows": _rows(page, request.user),
        "next_before": next_before,
        "object_type": object_type,
        "object_id": object_id,
        "more": bool(request.GET.get("before")),
    }
    template = "reporting/_history_rows.html" if context["more"] else "reporting/audit_history.html"
    if request.headers.get("HX-Request") and not context["more"]:
        template = "reporting/_history_panel.html"
    return render(request, template, context)
