"""Ratings and complaints (issue 17). After receipt of the vouchers (the order paid), the enterprise rates the
service once per order — it may revise the rating; the latest counts — and may file a complaint, which goes to
the unit of the city that issued the vouchers; the unit answers and closes it."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.accounts.models import Organisation
from smevoucher.catalogue.models import Product
from smevoucher.core import access, audit, clock, jobs
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.notices.services import notify_organisation
from smevoucher.orders.models import Order
from smevoucher.orders.selectors import orders_visible_to

from .models import Complaint, Rating
from .selectors import may_give_feedback


def _own_order(actor, order_id: int) -> Order:
    """The enterprise's own order, locked; not visible: 404; visible but not the enterprise's: 403; not yet
    received: a conflict saying when feedback opens."""
    if not orders_visible_to(actor).filter(pk=order_id).exists():
        raise Http404
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("enterprise__organisation", "provider__organisation", "batch")
        .get(pk=order_id)
    )
    if not access.belongs_to(actor, order.enterprise.organisation_id):
        raise PermissionDenied
    if not may_give_feedback(order):
        raise Conflict(_("Feedback opens once the provider has received the vouchers."), code="not_received")
    return order


def _text(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(fields={field: [_("This field is required.")]})
    return value[:2000]


def _queue_integrity_scan(order) -> None:
    """Complaints and very low ratings are risk signals (issue 17): the order's incremental scan runs after commit."""
    jobs.queue_after_commit("smevoucher.integrity.tasks.scan_order", order.pk)


@transaction.atomic
def rating_submit(*, actor, order_id: int, score: int, comment: str = "") -> Rating:
    """Rate the service of a received order (1–5, a comment). A second call revises the rating; the product's
    catalogue summary moves by the difference in the same transaction."""
    order = _own_order(actor, order_id)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationFailed(fields={"score": [_("Choose a score from 1 to 5.")]})
    comment = _text(comment, "comment", required=False)
    now = clock.now()
    rating = Rating.objects.select_for_update().filter(order=order).first()
    if rating is None:
        rating = Rating.objects.create(
            order=order,
            enterprise=order.enterprise,
            provider=order.provider,
            product_id=order.product_id,
            score=score,
            comment=comment,
            rated_by=actor,
            created_at=now,
            updated_at=now,
        )
        Product.objects.filter(pk=order.product_id).update(
            rating_count=F("rating_count") + 1, rating_total=F("rating_total") + score
        )
        audit.record(actor, "feedback.rated", order, after={"score": score, "comment": comment})
    elif (rating.score, rating.comment) != (score, comment):
        before = {"score": rating.score, "comment": rating.comment}
        Product.objects.filter(pk=order.product_id).update(rating_total=F("rating_total") + score - rating.score)
        rating.score, rating.comment, rating.rated_by, rating.updated_at = score, comment, actor, now
        rating.save(update_fields=["score", "comment", "rated_by", "updated_at"])
        audit.record(actor, "feedback.rating_revised", order, before=before, after={"score": score, "comment": comment})
    else:
        return rating  # the same rating again: a double click
    _queue_integrity_scan(order)
    notify_organisation(
        order.provider.organisation,
        event="feedback.rated",
        title=_("Order %(number)s was rated %(score)s of 5") % {"number": order.number, "score": score},
        body=comment,
        url=reverse("orders:detail", args=[order.pk]),
        obj=order,
    )
    return rating


@transaction.atomic
def complaint_file(*, actor, order_id: int, text: str) -> Complaint:
    """File a complaint about a received order's service to the unit of the city that issued the vouchers. One
    complaint in progress per order: filing again while one is open returns it."""
    order = _own_order(actor, order_id)
    text = _text(text, "text", required=True)
    live = Complaint.objects.filter(order=order).exclude(status=Complaint.Status.CLOSED).first()
    if live is not None:
        return live
    complaint = Complaint.objects.create(  # the order's lock keeps a second one out (the constraint backs it)
        order=order,
        enterprise=order.enterprise,
        provider=order.provider,
        city_id=order.batch.city_id,
        text=text,
        filed_by=actor,
        filed_at=clock.now(),
    )
    audit.record(actor, "feedback.complaint_filed", complaint, after={"order": order.pk, "text": text})
    _queue_integrity_scan(order)
    unit = Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city_id=complaint.city_id).first()
    if unit is not None:
        notify_organisation(
            unit,
            event="feedback.complaint_filed",
            title=_("Complaint about %(provider)s (order %(number)s)")
            % {"provider": order.provider.name, "number": order.number},
            body=text,
            url=reverse("feedback:complaint", args=[complaint.pk]),
            obj=complaint,
        )
    return complaint


def _for_unit(actor, complaint_id: int) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("enterprise__organisation", "provider__organisation", "order")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None or not actor.has_perm("feedback.view_complaint", complaint):
        raise Http404
    if not actor.has_perm("feedback.answer_complaint", complaint):
        raise PermissionDenied
    return complaint


def _tell_enterprise(complaint: Complaint, title: str, body: str) -> None:
    notify_organisation(
        complaint.enterprise.organisation,
        event="feedback.complaint_answered",
        title=title,
        body=body,
        url=reverse("feedback:complaint", args=[complaint.pk]),
        obj=complaint,
    )


@transaction.atomic
def complaint_answer(*, actor, complaint_id: int, answer: str) -> Complaint:
    """The issuing city's unit answers an open complaint (it may answer again); the enterprise is told."""
    complaint = _for_unit(actor, complaint_id)
    answer = _text(answer, "answer", required=True)
    if complaint.status == Complaint.Status.CLOSED:
        raise Conflict(_("The complaint is closed."), code="complaint_closed")
    if complaint.status == Complaint.Status.ANSWERED and complaint.answer == answer:
        return complaint
    before = {"status": complaint.status, "answer": complaint.answer}
    complaint.status, complaint.answer = Complaint.Status.ANSWERED, answer
    complaint.answered_by, complaint.answered_at = actor, clock.now()
    complaint.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit.record(actor, "feedback.complaint_answered", complaint, before=before, after={"status": "answered"})
    _tell_enterprise(complaint, _("Your complaint %(number)s was answered") % {"number": complaint.number}, answer)
    return complaint


@transaction.atomic
def complaint_close(*, actor, complaint_id: int, note: str = "") -> Complaint:
    """The unit closes the complaint (with a closing note as its last answer, if given)."""
    complaint = _for_unit(actor, complaint_id)
    if complaint.status == Complaint.Status.CLOSED:
        return complaint
    note = _text(note, "note", required=False)
    before = complaint.status
    if note:
        complaint.answer, complaint.answered_by, complaint.answered_at = note, actor, clock.now()
    complaint.status, complaint.closed_at = Complaint.Status.CLOSED, clock.now()
    complaint.save(update_fields=["status", "closed_at", "answer", "answered_by", "answered_at"])
    audit.record(
        actor,
        "feedback.complaint_closed",
        complaint,
        before={"status": before},
        after={"status": "closed"},
        reason=note,
    )
    _tell_enterprise(complaint, _("Your complaint %(number)s was closed") % {"number": complaint.number}, note)
    return complaint
