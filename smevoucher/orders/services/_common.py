"""Helpers shared by the order stages: the locked re-read, the state move, notifications and field checks."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock, jobs, traces
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.documents.models import Document
from smevoucher.notices.services import notify_organisation
from smevoucher.providers.models import Provider
from smevoucher.providers.selectors import letter_is_current, may_receive_vouchers
from smevoucher.vouchers import services as vouchers

from ..errors import LetterNotCurrent, NotAllowedNow, VouchersExpired
from ..models import Order
from ..selectors import orders_visible_to

S = Order.Status
ENTERPRISE, PROVIDER = "enterprise", "provider"


def _lock(actor, order_id, side: str) -> Order:
    """The order re-read under a lock. Not visible to the actor: 404; visible but not this side's step: 403."""
    if not orders_visible_to(actor).filter(pk=order_id).exists():
        raise Http404
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("batch", "enterprise__organisation", "provider__organisation", "provider__entry")
        .get(pk=order_id)
    )
    organisation_id = order.enterprise.organisation_id if side == ENTERPRISE else order.provider.organisation_id
    if not access.belongs_to(actor, organisation_id):
        raise PermissionDenied
    return order


def _require(order: Order, to: str) -> None:
    if not order.may_become(to):
        raise NotAllowedNow()


def _move(order: Order, to: str, actor, action: str, *, fields=(), reason: str = "", after=None) -> Order:
    before = order.status
    _require(order, to)
    order.status = to
    order.save(update_fields=["status", "updated_at", *fields])
    audit.record(actor, action, order, before={"status": before}, after={"status": to, **(after or {})}, reason=reason)
    order_event(actor, action, order)
    return order


# Issue 17: the key actions of both sides whose client address and browser are traced (core.traces).
TRACED = {
    "order.placed": traces.ORDER,
    "order.confirmed": traces.CONFIRM,
    "order.contract_uploaded": traces.CONTRACT,
    "order.contract_confirmed": traces.CONFIRM,
    "order.completed": traces.COMPLETE,
    "order.payment_submitted": traces.PAYMENT,
    "order.payment_confirmed": traces.RECEIPT,
}


def order_event(actor, action: str, order: Order) -> None:
    """After a key step: trace where it came from and queue the integrity signals' incremental run."""
    if action in TRACED:
        traces.record(actor, TRACED[action], order_id=order.pk)
        jobs.queue_after_commit("smevoucher.integrity.tasks.scan_order", order.pk)


def _url(order: Order) -> str:
    return reverse("orders:detail", args=[order.pk])


def _tell(organisation, order: Order, event: str, title: str, body: str = "") -> None:
    notify_organisation(organisation, event=event, title=title, body=body, url=_url(order), obj=order)


def _tell_provider(order, event, title, body=""):
    _tell(order.provider.organisation, order, event, title, body)


def _tell_enterprise(order, event, title, body=""):
    _tell(order.enterprise.organisation, order, event, title, body)


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={field: [_("Give the reason.")]})
    return reason[:2000]


def _positive(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValidationFailed(fields={field: [_("Enter an amount above zero.")]})
    return value


def _own_document(actor, document_id, kind: str, field: str) -> Document:
    """A current material of the actor's organisation of this kind, else a field error."""
    document = Document.objects.filter(pk=document_id, organisation_id=actor.organisation_id, kind=kind).first()
    if document is None or not document.is_current:
        raise ValidationFailed(fields={field: [_("Upload this material first.")]})
    return document


def _not_expired(order: Order) -> None:
    if clock.now() > order.batch.expires_at:
        raise VouchersExpired()


def _may_receive(order: Order) -> None:
    """The provider re-read under a lock (after the order's: the lock order of a suspension too), so a
    confirmation racing a suspension either commits before it or sees it (manual 三)."""
    order.provider = (
        Provider.objects.select_for_update(of=("self",))
        .select_related("organisation", "entry")
        .get(pk=order.provider_id)
    )
    if not may_receive_vouchers(order.provider):
        raise Conflict(_("Your organisation may not receive vouchers now."), code="provider_not_eligible")


def _letter_current(order: Order) -> None:
    """R3 each year: from 1 January the provider confirms nothing until it uploads a letter dated that year."""
    if not letter_is_current(order.provider):
        raise LetterNotCurrent()


def _release_cap(order: Order) -> None:
    if order.reserved_fen:
        vouchers.cap_release(
            provider_id=order.provider.organisation_id, batch=order.batch, reserved_fen=order.reserved_fen
        )
        order.reserved_fen = 0


def _end(order: Order, to: str, actor, action: str, *, reason: str = "", fields=(), rule: str | None = None) -> Order:
    """Cancel, decline or reclaim: the escrow goes back to the wallet (or, under a reclaim rule, to the pool or
    reclaimed), the cap reservation is given back."""
    _require(order, to)
    if rule is None:
        vouchers.escrow_release(actor=actor, batch_id=order.batch_id, order_id=order.pk)
    else:
        vouchers.escrow_reclaim(actor=actor, batch_id=order.batch_id, order_id=order.pk, rule=rule)
    _release_cap(order)
    order.closed_at = clock.now()
    return _move(order, to, actor, action, fields=["reserved_fen", "closed_at", *fields], reason=reason)
