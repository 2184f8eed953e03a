"""The audit trail (R16, R17): readable labels for the audit log's action codes, who may see which events, the
unit-level search and an object's history.

Visibility follows the objects: whoever may see an object (through its own app's selector) may see its history;
a unit's search covers the events of every object it may see plus its own staff's actions (the province unit:
everything). Events on objects without a selector here (users, materials, notices, the directory) are the
province's and the acting unit's only.

Lists page by keyset (`before` = the last id shown), newest first, never counting the whole log.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import BigIntegerField, CharField, Exists, Func, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from smevoucher.accounts.models import User
from smevoucher.catalogue.selectors import products_visible_to
from smevoucher.core import access
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditCheck, AuditEvent
from smevoucher.enterprises.selectors import change_requests_visible_to as enterprise_change_requests_visible_to
from smevoucher.enterprises.selectors import enterprises_visible_to
from smevoucher.orders.selectors import orders_visible_to, refunds_visible_to
from smevoucher.providers.selectors import change_requests_visible_to, providers_visible_to
from smevoucher.redemption.selectors import applications_visible_to
from smevoucher.vouchers.models import Claim, LedgerAccount
from smevoucher.vouchers.selectors import batches_visible_to

# Every action code the services record, in one place; an unknown code reads as itself.
ACTION_LABELS = {
    "accounts.otp_enrolled": pgettext_lazy("audit action", "Two-step log-in set up"),
    "accounts.otp_verified": pgettext_lazy("audit action", "Two-step log-in code confirmed"),
    "unit.contacts_updated": pgettext_lazy("audit action", "Unit contacts updated"),
    "enterprise.signed_up": pgettext_lazy("audit action", "Enterprise signed up"),
    "enterprise.resubmitted": pgettext_lazy("audit action", "Enterprise submitted again"),
    "enterprise.approved": pgettext_lazy("audit action", "Enterprise approved"),
    "enterprise.returned": pgettext_lazy("audit action", "Enterprise returned for correction"),
    "enterprise.priority_tags_set": pgettext_lazy("audit action", "Priority tags set"),
    "directory.entry_created": pgettext_lazy("audit action", "Directory entry added"),
    "directory.entry_updated": pgettext_lazy("audit action", "Directory entry changed"),
    "directory.entry_activated": pgettext_lazy("audit action", "Directory entry made valid again"),
    "directory.entry_deactivated": pgettext_lazy("audit action", "Directory entry made invalid"),
    "directory.import_uploaded": pgettext_lazy("audit action", "Directory sheet uploaded"),
    "directory.imported": pgettext_lazy("audit action", "Directory sheet imported"),
    "document.uploaded": pgettext_lazy("audit action", "Material uploaded"),
    "provider.registered": pgettext_lazy("audit action", "Provider registered"),
    "provider.resubmitted": pgettext_lazy("audit action", "Provider submitted again"),
    "provider.approved": pgettext_lazy("audit action", "Provider approved"),
    "provider.returned": pgettext_lazy("audit action", "Provider returned for correction"),
    "provider.change_requested": pgettext_lazy("audit action", "Change of details requested"),
    "provider.change_applied": pgettext_lazy("audit action", "Change of details applied"),
    "provider.change_refused": pgettext_lazy("audit action", "Change of details refused"),
    "product.created": pgettext_lazy("audit action", "Product created"),
    "product.draft_saved": pgettext_lazy("audit action", "Product draft saved"),
    "product.revision_started": pgettext_lazy("audit action", "New product version started"),
    "product.changes_discarded": pgettext_lazy("audit action", "Product changes discarded"),
    "product.material_set_added": pgettext_lazy("audit action", "Service record added"),
    "product.material_set_changed": pgettext_lazy("audit action", "Service record changed"),
    "product.material_set_removed": pgettext_lazy("audit action", "Service record removed"),
    "product.submitted": pgettext_lazy("audit action", "Product submitted for review"),
    "product.approved": pgettext_lazy("audit action", "Product approved"),
    "product.returned": pgettext_lazy("audit action", "Product returned for correction"),
    "product.taken_down": pgettext_lazy("audit action", "Product taken down"),
    "quota.set": pgettext_lazy("audit action", "Annual quota set"),
    "batch.created": pgettext_lazy("audit action", "Batch created"),
    "batch.updated": pgettext_lazy("audit action", "Batch changed"),
    "batch.opened": pgettext_lazy("audit action", "Batch opened for claims"),
    "batch.allocated": pgettext_lazy("audit action", "Batch allocated"),
    "batch.closed": pgettext_lazy("audit action", "Batch closed"),
    "claim.submitted": pgettext_lazy("audit action", "Claim submitted"),
    "claim.allocated": pgettext_lazy("audit action", "Claim allocated"),
    "claim.backfilled": pgettext_lazy("audit action", "Claim given returned vouchers"),
    "voucher.earmarked": pgettext_lazy("audit action", "Vouchers earmarked for an order"),
    "voucher.released": pgettext_lazy("audit action", "Vouchers released back to the wallet"),
    "voucher.payment_submitted": pgettext_lazy("audit action", "Vouchers submitted as payment"),
    "voucher.payment_rejected": pgettext_lazy("audit action", "Voucher payment sent back"),
    "voucher.paid": pgettext_lazy("audit action", "Vouchers paid to the provider"),
    "voucher.refunded": pgettext_lazy("audit action", "Vouchers returned to the enterprise"),
    "voucher.redeemed": pgettext_lazy("audit action", "Vouchers redeemed"),
    "voucher.reclaimed_r8": pgettext_lazy("audit action", "Vouchers reclaimed: not used in an order in time"),
    "voucher.reclaimed_r9": pgettext_lazy("audit action", "Vouchers reclaimed: no contract in time"),
    "voucher.reclaimed_r10": pgettext_lazy("audit action", "Vouchers reclaimed: expired"),
    "order.placed": pgettext_lazy("audit action", "Order placed"),
    "order.confirmed": pgettext_lazy("audit action", "Order confirmed"),
    "order.declined": pgettext_lazy("audit action", "Order declined"),
    "order.cancelled": pgettext_lazy("audit action", "Order cancelled"),
    "order.contract_uploaded": pgettext_lazy("audit action", "Contract uploaded"),
    "order.contract_returned": pgettext_lazy("audit action", "Contract returned"),
    "order.contract_confirmed": pgettext_lazy("audit action", "Contract confirmed"),
    "order.completed": pgettext_lazy("audit action", "Service completed"),
    "order.payment_submitted": pgettext_lazy("audit action", "Payment materials submitted"),
    "order.payment_rejected": pgettext_lazy("audit action", "Payment rejected"),
    "order.payment_confirmed": pgettext_lazy("audit action", "Receipt of the vouchers confirmed"),
    "order.refund_requested": pgettext_lazy("audit action", "Refund requested"),
    "order.refund_refused": pgettext_lazy("audit action", "Refund refused"),
    "order.refunded": pgettext_lazy("audit action", "Payment refunded"),
    "order.reclaimed_r8": pgettext_lazy("audit action", "Order cancelled: vouchers not used in time"),
    "order.reclaimed_r9": pgettext_lazy("audit action", "Order cancelled: no contract in time"),
    "order.reclaimed_r10": pgettext_lazy("audit action", "Order cancelled: vouchers expired"),
    "orders.city_materials_set": pgettext_lazy("audit action", "Required materials set"),
    "redemption.created": pgettext_lazy("audit action", "Redemption application created"),
    "redemption.payments_added": pgettext_lazy("audit action", "Payments added to the application"),
    "redemption.payment_removed": pgettext_lazy("audit action", "Payment removed from the application"),
    "redemption.materials_attached": pgettext_lazy("audit action", "Application materials attached"),
    "redemption.submitted": pgettext_lazy("audit action", "Redemption application submitted"),
    "redemption.approved": pgettext_lazy("audit action", "Redemption application approved"),
    "redemption.rejected": pgettext_lazy("audit action", "Redemption application rejected"),
    "redemption.paid_out": pgettext_lazy("audit action", "Redemption paid out"),
    "redemption.results_published": pgettext_lazy("audit action", "Redemption results published"),
    "notice.published": pgettext_lazy("audit action", "Notice published"),
    "notice.updated": pgettext_lazy("audit action", "Notice changed"),
    "notice.withdrawn": pgettext_lazy("audit action", "Notice withdrawn"),
    "notice.attachment_added": pgettext_lazy("audit action", "Attachment added to a notice"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def _claims_visible_to(user) -> QuerySet[Claim]:
    claims = Claim.objects.filter(batch__in=batches_visible_to(user))
    if access.is_enterprise_user(user):
        return claims.filter(enterprise__organisation_id=user.organisation_id)
    return claims if access.is_unit_staff(user) else claims.none()


def _accounts_visible_to(user) -> QuerySet[LedgerAccount]:
    if not access.is_unit_staff(user):
        return LedgerAccount.objects.none()
    return LedgerAccount.objects.filter(batch__in=batches_visible_to(user))


@dataclass(frozen=True)
class ObjectType:
    label: object
    visible_to: object  # user -> queryset of the objects this user may see (the owning app's selector)


# The object types whose visibility an app's selector decides.
OBJECT_TYPES = {
    "orders.order": ObjectType(pgettext_lazy("audit object", "Order"), orders_visible_to),
    "orders.refundrequest": ObjectType(pgettext_lazy("audit object", "Refund request"), refunds_visible_to),
    "catalogue.product": ObjectType(pgettext_lazy("audit object", "Service product"), products_visible_to),
    "providers.provider": ObjectType(pgettext_lazy("audit object", "Service provider"), providers_visible_to),
    "providers.changerequest": ObjectType(pgettext_lazy("audit object", "Change request"), change_requests_visible_to),
    "enterprises.enterprise": ObjectType(pgettext_lazy("audit object", "Enterprise"), enterprises_visible_to),
    "enterprises.enterprisechangerequest": ObjectType(
        pgettext_lazy("audit object", "Enterprise change request"), enterprise_change_requests_visible_to
    ),
    "vouchers.batch": ObjectType(pgettext_lazy("audit object", "Voucher batch"), batches_visible_to),
    "vouchers.claim": ObjectType(pgettext_lazy("audit object", "Claim"), _claims_visible_to),
    "vouchers.ledgeraccount": ObjectType(pgettext_lazy("audit object", "Voucher account"), _accounts_visible_to),
    "redemption.application": ObjectType(
        pgettext_lazy("audit object", "Redemption application"), applications_visible_to
    ),
}
# Other types seen in the log, for their labels only (province and acting unit).
OTHER_TYPE_LABELS = {
    "accounts.user": pgettext_lazy("audit object", "User"),
    "accounts.organisation": pgettext_lazy("audit object", "Organisation"),
    "documents.document": pgettext_lazy("audit object", "Material"),
    "notices.notice": pgettext_lazy("audit object", "Notice"),
    "directory.entry": pgettext_lazy("audit object", "Directory entry"),
    "directory.import": pgettext_lazy("audit object", "Directory import"),
    "vouchers.quotasetting": pgettext_lazy("audit object", "Annual quota"),
}


def object_type_label(code: str) -> str:
    found = OBJECT_TYPES.get(code)
    return str(found.label if found else OTHER_TYPE_LABELS.get(code, code))


def object_type_choices() -> list[tuple[str, str]]:
    return [(code, str(t.label)) for code, t in OBJECT_TYPES.items()] + [
        (code, str(label)) for code, label in OTHER_TYPE_LABELS.items()
    ]


def _is_number(text: str) -> bool:
    """An object number as the log stores it: ASCII digits that fit a 64-bit key."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def _ids_of(queryset: QuerySet) -> QuerySet:
    """The primary keys as text, for a subquery against the log's `object_id` column."""
    return queryset.order_by().annotate(_text_pk=Cast("pk", output_field=CharField())).values("_text_pk")


def _base() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor__organisation").order_by("-id")


class _ObjectKey(Func):
    """An event's `object_id` (text) as the object's key, NULL where it is not a number: to look the object up."""

    output_field = BigIntegerField()
    template = (
        "CASE WHEN CAST(CAST(%(expressions)s AS INTEGER) AS TEXT) = %(expressions)s "
        "THEN CAST(%(expressions)s AS INTEGER) END"
    )

    def as_postgresql(self, compiler, connection, **extra):
        template = "CASE WHEN %(expressions)s ~ '^[1-9][0-9]{0,17}$' THEN (%(expressions)s)::bigint END"
        return self.as_sql(compiler, connection, template=template, **extra)


class _LookedUp(Exists):
    """EXISTS, asked of each row where it is met (an index probe). Without OFFSET 0 PostgreSQL may instead hash the
    whole subquery first (it plans for every row, not for the page's LIMIT). OFFSET 0 keeps it from rewriting the
    EXISTS that way; it changes no result."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def events_visible_to(user, *, every_row: bool = False) -> QuerySet[AuditEvent]:
    """The unit's audit search: the province everything; a city unit its own staff's actions and the events of
    every object its selectors let it see. Others: nothing here (they see single objects' histories).

    A page walks the newest events until it has a page of the city's: each event's object is looked up, so the page
    costs the same however many objects the city has (hashing a city's 48,000 orders at a province's volume took
    10 ms a page). `every_row` (an export, reading the whole trail): the city's visible ids are read once instead,
    ten times faster than a look-up per event over a million."""
    if access.is_province_unit(user):
        return _base()
    if not access.is_city_unit(user):
        return AuditEvent.objects.none()
    scope = Q(actor__organisation_id=user.organisation_id)
    for code, kind in OBJECT_TYPES.items():
        # The type first: a type's objects are looked up (or read) only once an event of that type is met.
        if every_row:
            scope |= Q(object_type=code) & Q(object_id__in=_ids_of(kind.visible_to(user)))
        else:
            visible = kind.visible_to(user).filter(pk=_ObjectKey(OuterRef("object_id")))
            scope |= Q(object_type=code) & Q(_LookedUp(visible))
    return _base().filter(scope)


def history_of(*, user, object_type: str, object_id) -> QuerySet[AuditEvent]:
    """The history of one object for whoever may see it (404 otherwise, as for the object itself). An order's
    history includes its refund requests; a change request's, the events the provider recorded about it."""
    object_id = str(object_id)
    if not _is_number(object_id) or (object_type not in OBJECT_TYPES and object_type not in OTHER_TYPE_LABELS):
        raise Http404
    kind = OBJECT_TYPES.get(object_type)
    if kind is None:
        if not access.is_province_unit(user):
            raise Http404
        return _base().filter(object_type=object_type, object_id=object_id)
    found = kind.visible_to(user).filter(pk=int(object_id)).first()
    if found is None:
        raise Http404
    scope = Q(object_type=object_type, object_id=object_id)
    if object_type == "orders.order":
        scope |= Q(object_type="orders.refundrequest", object_id__in=_ids_of(found.refund_requests.all()))
    elif object_type == "providers.changerequest":
        scope = Q(object_type="providers.provider", object_id=str(found.provider_id), after__request=found.pk)
    elif object_type == "enterprises.enterprisechangerequest":  # issue 17: recorded on the enterprise, as above
        scope = Q(object_type="enterprises.enterprise", object_id=str(found.enterprise_id), after__request=found.pk)
    return _base().filter(scope)


@dataclass
class Search:
    object_type: str = ""
    object_id: str = ""
    actor: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive: the start of the day after the chosen one

    def as_filters(self) -> dict:
        """The same search as plain values (stored with an export job)."""
        values = {"object_type": self.object_type, "object_id": self.object_id, "actor": self.actor}
        values["action"] = self.action
        if self.since:
            values["since"] = timezone.localtime(self.since).date().isoformat()
        if self.until:
            values["until"] = (timezone.localtime(self.until).date() - timedelta(days=1)).isoformat()
        return {key: value for key, value in values.items() if value}


def _day(value: str, field: str):
    try:
        return datetime.fromisoformat(value).date() if value else None
    except ValueError:
        raise ValidationFailed(fields={field: [pgettext_lazy("audit search", "Enter a date as YYYY-MM-DD.")]}) from None


def parse_search(params) -> Search:
    """The search from query parameters; a malformed value is a 400 with the field named."""
    get = lambda key: (params.get(key) or "").strip()  # noqa: E731
    search = Search(object_type=get("object_type"), object_id=get("object_id"), actor=get("actor"))
    search.action = get("action")
    if search.object_id and not _is_number(search.object_id):
        raise ValidationFailed(fields={"object_id": [pgettext_lazy("audit search", "Enter the object's number.")]})
    for name in ("object_type", "actor", "action"):
        if len(getattr(search, name)) > 150 or "\x00" in getattr(search, name):
            raise ValidationFailed(fields={name: [pgettext_lazy("audit search", "This value is not valid.")]})
    since, until = _day(get("since"), "since"), _day(get("until"), "until")
    if since and until and until < since:
        raise ValidationFailed(fields={"until": [pgettext_lazy("audit search", "The end is before the start.")]})
    if since:
        search.since = timezone.make_aware(datetime.combine(since, time.min))
    if until:
        search.until = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    return search


def search_events(user, search: Search, *, every_row: bool = False) -> QuerySet[AuditEvent]:
    return filter_events(events_visible_to(user, every_row=every_row), search)


def filter_events(events: QuerySet[AuditEvent], search: Search) -> QuerySet[AuditEvent]:
    if search.object_type:
        events = events.filter(object_type=search.object_type)
    if search.object_id:
        events = events.filter(object_id=search.object_id)
    if search.actor:
        events = events.filter(actor_id__in=User.objects.filter(username=search.actor).values("pk"))
    if search.action.endswith("."):
        events = events.filter(action__startswith=search.action)
    elif search.action:
        events = events.filter(action=search.action)
    if search.since:
        events = events.filter(at__gte=search.since)
    if search.until:
        events = events.filter(at__lt=search.until)
    return events


def page_of(events: QuerySet[AuditEvent], *, before=None, size: int = 50) -> tuple[list[AuditEvent], int | None]:
    """One page, newest first, and the id to continue from (None on the last page). No count of the log."""
    if before not in (None, ""):
        before = str(before)
        if not _is_number(before):
            raise ValidationFailed(fields={"before": [pgettext_lazy("audit search", "This value is not valid.")]})
        events = events.filter(id__lt=int(before))
    rows = list(events[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more else None)


def last_check() -> AuditCheck | None:
    return AuditCheck.objects.first()


def actor_name(event: AuditEvent) -> str:
    return event.actor_label or str(pgettext_lazy("audit actor", "System"))


def organisation_name(event: AuditEvent) -> str:
    organisation = getattr(event.actor, "organisation", None) if event.actor_id else None
    return organisation.name if organisation is not None else ""
