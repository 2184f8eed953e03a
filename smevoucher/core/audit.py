"""The audit log (R16): who did what to which object, before/after, when, from which address and request.

`record()` is called inside the service's transaction, so the event commits or rolls back with the
change it describes. It only inserts a row: no shared row is locked, so a rush of claims does not queue
behind the log. After the commit (with workers: within seconds, by the beat job) `seal_pending()` chains
the new events: each sealed event's hash covers its content and the previous sealed event's hash, in
sealing order, so changing or removing a sealed event breaks the chain (`verify_audit` seals whatever is
still pending first).
"""

import hashlib
import json
from datetime import UTC
from itertools import islice

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import jobs, request_context
from .models import AuditChainHead, AuditCheck, AuditEvent

GENESIS = "0" * 64


def _plain(value):
    """JSON-safe copy (dates, Decimals, UUIDs become strings) so the stored form is what was hashed."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_hash(event: AuditEvent) -> str:
    content = {
        "id": event.pk,
        "seal": event.seal_seq,
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
    if event.request_id:  # events recorded before request ids existed keep their hashes
        content["request"] = event.request_id
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def object_label(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(actor, action: str, obj=None, *, before=None, after=None, reason: str = "") -> AuditEvent:
    object_type, object_id = object_label(obj)
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
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
        request_id=request_context.request_id(),
    )
    if settings.AUDIT_SEAL_AFTER_COMMIT:
        jobs.queue_after_commit("smevoucher.core.tasks.seal_audit_log")
    return event


INSERT_FROM = (
    "INSERT INTO {table} (at, actor_id, actor_label, action, object_type, object_id, before, after, reason, "
    "ip_address, request_id, prev_hash, hash) "
    "SELECT %s, %s, %s, %s, %s, CAST({source}.id AS TEXT), NULL, CAST(%s AS JSONB), '', CAST(%s AS INET), %s, '', '' "
    "FROM {source}"
)


def insert_from(actor, action: str, model, *, source: str, after=None) -> tuple[str, list]:
    """The INSERT that `record` makes, as SQL to put in a statement that writes the object too (PostgreSQL: a
    data-modifying CTE named `source` whose rows have the new object's `id`), so a hot path writes both in one
    round trip. Returns the SQL and its parameters; the caller queues nothing more."""
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    sql = INSERT_FROM.format(table=AuditEvent._meta.db_table, source=source)
    params = [
        timezone.now(),
        actor.pk if actor else None,
        actor.get_username() if actor else "",
        action,
        model._meta.label_lower,
        None if after is None else json.dumps(_plain(after), ensure_ascii=False),
        request_context.client_ip(),
        request_context.request_id(),
    ]
    if settings.AUDIT_SEAL_AFTER_COMMIT:
        jobs.queue_after_commit("smevoucher.core.tasks.seal_audit_log")
    return sql, params


def record_each(actor, action: str, model, items, *, reason: str = "", batch_size: int = 2000) -> int:
    """`record` for many objects of one model at once (a backfill, a sweep): `items` are (pk, after) pairs,
    inserted in batches. Returns how many events were recorded."""
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    common = {
        "actor": actor,
        "actor_label": actor.get_username() if actor else "",
        "action": action,
        "object_type": model._meta.label_lower,
        "reason": reason or "",
        "ip_address": request_context.client_ip(),
        "request_id": request_context.request_id(),
    }
    events = (AuditEvent(at=timezone.now(), object_id=str(pk), after=_plain(after), **common) for pk, after in items)
    count = 0
    while chunk := list(islice(events, batch_size)):
        AuditEvent.objects.bulk_create(chunk)
        count += len(chunk)
    if count and settings.AUDIT_SEAL_AFTER_COMMIT:
        jobs.queue_after_commit("smevoucher.core.tasks.seal_audit_log")
    return count


RECORD_SELECT = (
    "INSERT INTO {table} (at, actor_id, actor_label, action, object_type, object_id, before, after, reason, "
    "ip_address, request_id, prev_hash, hash) "
    "SELECT %s, %s, %s, %s, %s, CAST(s.object_id AS TEXT), {before}, {after}, %s, CAST(%s AS INET), %s, '', '' "
    "FROM ({select}) AS s"
)


def record_select(
    actor, action: str, model, select: str, params, *, after: tuple = (), before: tuple = (), reason: str = ""
) -> int:
    """`record_each` with the items read by a query, written by one INSERT … SELECT (PostgreSQL; elsewhere the rows
    are read and recorded one by one): `select` returns a column `object_id`, one column per key of `after` holding
    that key's value (numbers or text), and one column `before_<key>` per key of `before`. Returns how many events
    were recorded."""
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            columns = ", ".join([*(f'"{key}"' for key in after), *(f'"before_{key}"' for key in before)]) or "NULL"
            cursor.execute(f"SELECT object_id, {columns} FROM ({select}) AS s", params)  # noqa: S608 (code's constants)
            rows = cursor.fetchall()
        label = model._meta.label_lower
        for row in rows:
            values = row[1:]
            AuditEvent.objects.create(
                at=timezone.now(),
                actor=actor,
                actor_label=actor.get_username() if actor else "",
                action=action,
                object_type=label,
                object_id=str(row[0]),
                before=dict(zip(before, values[len(after) :], strict=True)) if before else None,
                after=dict(zip(after, values[: len(after)], strict=True)) if after else None,
                reason=reason or "",
                ip_address=request_context.client_ip(),
                request_id=request_context.request_id(),
            )
        if rows and settings.AUDIT_SEAL_AFTER_COMMIT:
            jobs.queue_after_commit("smevoucher.core.tasks.seal_audit_log")
        return len(rows)
    pairs = ", ".join(f"'{key}', s.\"{key}\"" for key in after)
    after_sql = f"jsonb_build_object({pairs})" if after else "NULL"
    pairs = ", ".join(f"'{key}', s.\"before_{key}\"" for key in before)
    before_sql = f"jsonb_build_object({pairs})" if before else "NULL"
    sql = RECORD_SELECT.format(table=AuditEvent._meta.db_table, after=after_sql, before=before_sql, select=select)
    common = [
        timezone.now(),
        actor.pk if actor else None,
        actor.get_username() if actor else "",
        action,
        model._meta.label_lower,
    ]
    tail = [reason or "", request_context.client_ip(), request_context.request_id()]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*common, *tail, *params])  # in the order of their placeholders
        count = cursor.rowcount
    if count and settings.AUDIT_SEAL_AFTER_COMMIT:
        jobs.queue_after_commit("smevoucher.core.tasks.seal_audit_log")
    return count


SEAL_CHUNK = 2000  # events hashed, then written by one UPDATE


@transaction.atomic
def seal_pending(*, wait: bool = False) -> int:
    """Chain every committed, unsealed event; returns how many. With wait=False a sealer that finds another
    one running leaves the work to it (or to the next run) instead of queueing behind it. The events are read and
    written SEAL_CHUNK at a time: a bulk action records one event per row (an allocation, one per claim), and one
    UPDATE per event made sealing such a backlog take minutes."""
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
    heads = AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(pk=1)
    head = heads.first()
    if head is None:
        return 0
    last_seq = AuditEvent.objects.aggregate(m=Max("seal_seq"))["m"] or 0
    previous = head.last_hash
    count = 0
    pending = AuditEvent.objects.filter(seal_seq__isnull=True).order_by("id")
    while chunk := list(pending[:SEAL_CHUNK]):
        pending = pending.filter(id__gt=chunk[-1].pk)  # the next chunk from where this one ends, not from the start
        for event in chunk:
            last_seq += 1
            event.seal_seq, event.prev_hash = last_seq, previous
            event.hash = previous = event_hash(event)
        _write_seals(chunk)
        count += len(chunk)
    if count:
        AuditChainHead.objects.filter(pk=head.pk).update(last_hash=previous)
    return count


def _write_seals(events: list[AuditEvent]) -> None:
    """One UPDATE for the chunk: on PostgreSQL joined to the new values passed as arrays (Django's bulk_update
    compares every row with every id of the chunk); elsewhere one statement per event."""
    values = [(event.seal_seq, event.prev_hash, event.hash, event.pk) for event in events]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS e SET seal_seq = v.seq, prev_hash = v.prev, hash = v.hash "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[]) AS v(seq, prev, hash, id) "
                "WHERE e.id = v.id",
                [list(column) for column in zip(*values, strict=True)],
            )
        else:
            cursor.executemany(f"UPDATE {table} SET seal_seq = %s, prev_hash = %s, hash = %s WHERE id = %s", values)  # noqa: S608


def verify_chain() -> list[str]:
    """Every break in the chain, as readable lines; an empty list means the log is intact."""
    seal_pending(wait=True)
    problems = []
    previous = GENESIS
    expected_seq = 1
    for event in AuditEvent.objects.order_by("seal_seq").iterator(chunk_size=2000):
        if event.seal_seq != expected_seq or event.prev_hash != previous:
            problems.append(f"event {event.pk}: does not follow the previous event (an event was removed)")
        if event_hash(event) != event.hash:
            problems.append(f"event {event.pk}: content does not match its hash (the event was modified)")
        previous = event.hash
        expected_seq = (event.seal_seq or 0) + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_hash != previous:
        problems.append("the newest events are missing (chain head does not match the last event)")
    return problems


def verify_and_record(*, source: str) -> AuditCheck:
    """Verify the chain and keep the outcome (at most the first 100 problems), for the audit trail page."""
    problems = verify_chain()
    return AuditCheck.objects.create(
        checked_at=timezone.now(),
        intact=not problems,
        events=AuditEvent.objects.count(),
        problem_count=len(problems),
        problems=problems[:100],
        source=source,
    )


def history_for(obj):
    object_type, object_id = object_label(obj)
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related("actor")
