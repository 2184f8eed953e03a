"""The audit log (R16): who did what to which object, before/after, when, from which address.

`record()` is called inside the service's transaction, so the event commits or rolls back with the
change it describes.
"""

import hashlib
import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from . import request_context
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _plain(value):
    """JSON-safe copy (dates, Decimals, UUIDs become strings) so the stored form is what was hashed."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_hash(event: AuditEvent) -> str:
    content = {
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ip": event.ip_address,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def object_label(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


@transaction.atomic
def record(actor, action: str, obj=None, *, before=None, after=None, reason: str = "") -> AuditEvent:
    head, _ = AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
    head = AuditChainHead.objects.select_for_update().get(pk=head.pk)
    object_type, object_id = object_label(obj)
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_label=actor.get_username() if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_plain(before),
        after=_plain(after),
        reason=reason or "",
        ip_address=request_context.client_ip(),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    event.save()
    AuditChainHead.objects.filter(pk=head.pk).update(last_hash=event.hash)
    return event


def verify_chain() -> list[str]:
    """Every break in the chain, as readable lines; an empty list means the log is intact."""
    problems = []
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            problems.append(f"event {event.pk}: previous hash does not match (an event was removed or reordered)")
        if event_hash(event) != event.hash:
            problems.append(f"event {event.pk}: content does not match its hash (the event was modified)")
        previous = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_hash != previous:
        problems.append("the newest events are missing (chain head does not match the last event)")
    return problems


def history_for(obj):
    object_type, object_id = object_label(obj)
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related("actor")
