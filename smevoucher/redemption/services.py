"""Redemption transitions (DESIGN §2 step 9, R13). One named function per transition: it re-reads the application
under a lock, checks the actor and the state table, writes, records the audit event and notifies the other side
(notifications are sent after commit by the notices service). A repeated request that finds the work done returns
quietly.

Lock order: application → its lines' payments (through the unique constraint, no row locks) → ledger accounts.
"""

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.accounts.models import City, Organisation
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.money import format_yuan
from smevoucher.documents.models import Document, Kind
from smevoucher.documents.services import document_share, document_use
from smevoucher.integrity.selectors import confirmed_flags_on_orders, open_flags_on_orders
from smevoucher.notices.models import Notice
from smevoucher.notices.services import notice_publish, notify_organisation
from smevoucher.orders.models import Order, Payment
from smevoucher.providers.selectors import provider_of
from smevoucher.vouchers import services as vouchers

from . import selectors
from .errors import (
    ConfirmedRiskFlag,
    NotAllowedNow,
    OpenRiskFlag,
    PaymentRefunded,
    PaymentTaken,
    ScansNotCurrent,
    WrongCity,
)
from .models import Application, FormVersion, Line, Material, form_code

S = Application.Status
APPLICANT, REVIEWER = "applicant", "reviewer"


# --- helpers ----------------------------------------------------------------------------------------------------


def _lock(actor, application_id, side: str) -> Application:
    """The application re-read under a lock. Not visible to the actor: 404; visible but not its side: 403."""
    if not selectors.applications_visible_to(actor).filter(pk=application_id).exists():
        raise Http404
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("provider__organisation", "city")
        .get(pk=application_id)
    )
    if side == APPLICANT:
        allowed = access.belongs_to(actor, application.provider.organisation_id)
    else:  # R13: only the issuing city's unit reviews
        allowed = access.is_city_unit(actor) and actor.organisation.city_id == application.city_id
    if not allowed:
        raise PermissionDenied
    return application


def _require(application: Application, to: str) -> None:
    if not application.may_become(to):
        raise NotAllowedNow()


def _editable(application: Application) -> None:
    if not application.is_editable:
        raise NotAllowedNow()


def _url(application: Application) -> str:
    return reverse("redemption:detail", args=[application.pk])


def _unit(application: Application):
    return Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city_id=application.city_id).first()


def _tell(organisation, application: Application, event: str, title: str, body: str = "") -> None:
    if organisation is not None:
        notify_organisation(organisation, event=event, title=title, body=body, url=_url(application), obj=application)


def _issue_forms(actor, application: Application) -> None:
    """Issue 15: the stamped forms must show the lines the unit approves. Each change to the lines supersedes the
    current form version (its stamped scans stay on it, as history, and stop counting for the application) and
    issues the next, with a verification code for exactly these lines and this total."""
    now = clock.now()
    lines = sorted(application.lines.values_list("payment_id", "voucher_fen"))
    total = sum(fen for _payment, fen in lines)
    superseded = application.form_versions.filter(number=application.form_version, superseded_at__isnull=True)
    number = application.form_version + 1 if superseded.update(superseded_at=now) else application.form_version
    code = form_code(application.pk, number, lines, total)
    FormVersion.objects.create(
        application=application, number=number, code=code, lines=lines, total_fen=total, created_at=now
    )
    discarded = {"application_scan": application.application_scan_id, "summary_scan": application.summary_scan_id}
    application.form_version, application.verification_code, application.total_fen = number, code, total
    application.application_scan = application.summary_scan = application.scans_version = None
    application.save()
    if any(discarded.values()):
        audit.record(
            actor,
            "redemption.scans_discarded",
            application,
            before={**discarded, "version": number - 1},
            after={"version": number, "code": code, "fen": total},
            reason=_("The payments in the application changed; the stamped forms no longer match."),
        )


def _add_lines(application: Application, payment_ids) -> list[int]:
    """Add confirmed payments of this provider and city. The partial unique index refuses a payment that is in
    another live application, also when two requests race (R13)."""
    ids = sorted({int(i) for i in payment_ids})
    eligible = {
        p.pk: p
        for p in selectors.redeemable_payments(provider=application.provider, city_id=application.city_id).filter(
            pk__in=ids
        )
    }
    missing = [i for i in ids if i not in eligible and not application.lines.filter(payment_id=i).exists()]
    elsewhere = Payment.objects.filter(pk__in=missing, order__provider=application.provider).exclude(
        order__batch__city_id=application.city_id
    )
    if elsewhere.exists():  # R13: each issuing city redeems its own vouchers
        raise WrongCity(
            _("These payments were made with vouchers of another issuing city: %s")
            % ", ".join(str(pk) for pk in elsewhere.values_list("pk", flat=True))
        )
    if missing:
        raise PaymentTaken(
            _(
                "These payments cannot be added (not confirmed, not yours, another city, in another application or "
                "found in breach): %s"
            )
            % ", ".join(str(i) for i in missing)
        )
    added = []
    live = application.status in Application.LIVE
    for pk, payment in eligible.items():
        try:
            with transaction.atomic():
                Line.objects.create(
                    application=application,
                    payment=payment,
                    order=payment.order,
                    voucher_fen=payment.voucher_fen,
                    live=live,
                )
        except IntegrityError as exc:
            raise PaymentTaken() from exc
        added.append(pk)
    return added


def _still_redeemable(application: Application) -> None:
    """R12/R13: a payment refunded after it was bundled cannot be redeemed; the provider removes it (or the unit
    rejects the application)."""
    gone = application.lines.exclude(order__status=Order.Status.PAYMENT_CONFIRMED)
    if gone.exists():
        raise PaymentRefunded()


def stale_scans_message(application: Application) -> str:
    return _(
        "The stamped scans are not of the current forms (version %(version)s, code %(code)s). Print the forms "
        "again, stamp them and upload the new scans."
    ) % {"version": application.form_version, "code": application.verification_code}


def _no_flags(application: Application) -> None:
    """Issue 17: a line whose order has an open risk flag waits until the city unit clears or confirms it; a line
    whose order was found in breach (a confirmed flag) is not redeemed: the unit rejects the application and the
    provider takes the line out."""
    order_ids = list(application.lines.values_list("order_id", flat=True))
    if flags := open_flags_on_orders(order_ids):
        raise OpenRiskFlag(
            _("Decide the open risk flags first: %(flags)s.") % {"flags": ", ".join(f.number for f in flags)}
        )
    if flags := confirmed_flags_on_orders(order_ids):
        raise ConfirmedRiskFlag(
            _(
                "These risk flags were confirmed as breaches; their orders are not redeemed: %(flags)s. Reject the "
                "application so that the provider takes those payments out."
            )
            % {"flags": ", ".join(f.number for f in flags)}
        )


def _document(actor, document_id, kind: str, field: str) -> Document:
    document = Document.objects.filter(pk=document_id, organisation_id=actor.organisation_id, kind=kind).first()
    if document is None:
        raise ValidationFailed(fields={field: [_("Upload this material first.")]})
    return document


# --- provider ---------------------------------------------------------------------------------------------------


@transaction.atomic
def application_create(*, actor, city_id: int, payment_ids=()) -> Application:
    """A provider starts a draft application for one issuing city, optionally with payments."""
    provider = provider_of(actor)
    if provider is None:
        raise Http404
    if not City.objects.filter(pk=city_id).exists():
        raise ValidationFailed(fields={"city": [_("Choose an issuing city with confirmed payments.")]})
    application = Application.objects.create(
        provider=provider, city_id=city_id, created_by=actor, created_at=clock.now()
    )
    added = _add_lines(application, payment_ids)
    _issue_forms(actor, application)
    audit.record(actor, "redemption.created", application, after={"city": city_id, "payments": added})
    return application


@transaction.atomic
def application_add_payments(*, actor, application_id: int, payment_ids) -> Application:
    application = _lock(actor, application_id, APPLICANT)
    _editable(application)
    added = _add_lines(application, payment_ids)
    if added:
        _issue_forms(actor, application)
    audit.record(actor, "redemption.payments_added", application, after={"payments": added})
    return application


@transaction.atomic
def application_remove_payment(*, actor, application_id: int, payment_id: int) -> Application:
    application = _lock(actor, application_id, APPLICANT)
    _editable(application)
    deleted, _rows = application.lines.filter(payment_id=payment_id).delete()
    if deleted:
        _issue_forms(actor, application)
        audit.record(actor, "redemption.payment_removed", application, after={"payment": payment_id})
    return application


@transaction.atomic
def application_attach(
    *,
    actor,
    application_id: int,
    application_form_id=None,
    summary_table_id=None,
    materials: dict | None = None,
    form_version: int | None = None,
) -> Application:
    """The provider attaches the stamped scans of both forms and the city's extra materials (uploaded through
    documents first). Contracts, invoices and transfer proofs come from the payments (R13). With `form_version`
    (the version the uploader printed), scans are refused if the lines changed since (issue 15)."""
    application = _lock(actor, application_id, APPLICANT)
    _editable(application)
    scans = application_form_id or summary_table_id
    if scans and form_version is not None and form_version != application.form_version:
        raise ValidationFailed(fields={"application_form": [stale_scans_message(application)]})
    changed = {}
    for field, document_id, kind in (
        ("application_scan", application_form_id, Kind.APPLICATION_FORM),
        ("summary_scan", summary_table_id, Kind.SUMMARY_TABLE),
    ):
        if document_id:
            document = _document(actor, document_id, kind, field)
            setattr(application, field, document)
            changed[field] = document.pk
            document_use(document=document, obj=application, role=field)
    required = selectors.required_materials(application.city_id)
    for name, document_id in (materials or {}).items():
        if name not in required:
            raise ValidationFailed(fields={"materials": [_("This city does not require “%s”.") % name]})
        document = _document(actor, document_id, Kind.CITY_EXTRA, "materials")
        Material.objects.update_or_create(application=application, name=name, defaults={"document": document})
        document_use(document=document, obj=application, role=name)
        changed[name] = document.pk
    if "application_scan" in changed or "summary_scan" in changed:
        # The scans are of the forms printed for the current lines (issue 15); the version keeps them as history.
        application.scans_version = application.form_version
        application.form_versions.filter(number=application.form_version).update(
            application_scan=application.application_scan, summary_scan=application.summary_scan
        )
        changed["version"] = application.form_version
    application.save(update_fields=["application_scan", "summary_scan", "scans_version", "updated_at"])
    audit.record(actor, "redemption.materials_attached", application, after=changed)
    return application


@transaction.atomic
def application_submit(*, actor, application_id: int) -> Application:
    """Submit (or resubmit after a rejection) to the issuing city's unit. Requires at least one payment, the
    stamped scans of both forms and every extra material the city requires. A resubmitted application's lines
    become live again; a payment that went into another application meanwhile is refused (R13)."""
    application = _lock(actor, application_id, APPLICANT)
    if application.status == S.SUBMITTED:
        return application
    _require(application, S.SUBMITTED)
    errors = {}
    if not application.lines.exists():
        errors["lines"] = [_("Add at least one confirmed payment.")]
    if application.application_scan_id is None:
        errors["application_form"] = [_("Upload the stamped scan of the application form.")]
    if application.summary_scan_id is None:
        errors["summary_table"] = [_("Upload the stamped scan of the usage summary table.")]
    if not errors and not application.scans_are_current:
        errors["application_form"] = [stale_scans_message(application)]
    have = set(application.materials.values_list("name", flat=True))
    missing = [name for name in selectors.required_materials(application.city_id) if name not in have]
    if missing:
        errors["materials"] = [_("Upload the materials the city requires: %s") % "、".join(missing)]
    if errors:
        raise ValidationFailed(fields=errors)
    _still_redeemable(application)
    if application.status == S.REJECTED:
        try:
            with transaction.atomic():
                application.lines.update(live=True)
        except IntegrityError as exc:
            raise PaymentTaken() from exc
    before = application.status
    application.status, application.submitted_at, application.reject_reason = S.SUBMITTED, clock.now(), ""
    application.total_fen = selectors.total_fen(application)
    application.save(update_fields=["status", "submitted_at", "reject_reason", "total_fen", "updated_at"])
    unit = _unit(application)
    if unit is not None:  # the unit reads the scans and each payment's materials
        documents = [application.application_scan, application.summary_scan]
        documents += [m.document for m in application.materials.all()]
        for version in selectors.form_versions_of(application):  # earlier scans, kept as history
            documents += [version.application_scan, version.summary_scan]
        for view in selectors.lines_of(application):
            documents += [view.payment.invoice, view.payment.transfer_proof, view.order.contract]
            documents += [m.document for m in view.payment.materials.all()]
        for document in documents:
            if document is not None:
                document_share(document=document, organisations=[unit])
    audit.record(
        actor,
        "redemption.submitted",
        application,
        before={"status": before},
        after={"status": S.SUBMITTED, "fen": application.total_fen},
    )
    _tell(
        unit,
        application,
        "redemption.submitted",
        _("Redemption application %(number)s from %(provider)s")
        % {"number": application.number, "provider": application.provider.organisation.name},
    )
    return application


# --- issuing city's unit ----------------------------------------------------------------------------------------


@transaction.atomic
def application_approve(*, actor, application_id: int) -> Application:
    """The issuing city's unit approves: for each batch in the application, provider → redeemed in the vouchers
    ledger, in this transaction (R13)."""
    application = _lock(actor, application_id, REVIEWER)
    if application.status in (S.APPROVED, S.PAID_OUT):
        return application
    _require(application, S.APPROVED)
    if not application.scans_are_current:  # issue 15: the unit approves only what the stamped paper shows
        raise ScansNotCurrent(stale_scans_message(application))
    _still_redeemable(application)
    _no_flags(application)
    by_batch = defaultdict(int)
    for line in application.lines.select_related("order"):
        by_batch[line.order.batch_id] += line.voucher_fen
    for batch_id in sorted(by_batch):
        vouchers.provider_redeem(
            actor=actor,
            batch_id=batch_id,
            provider_id=application.provider.organisation_id,
            amount_fen=by_batch[batch_id],
            obj=application,
        )
    application.status, application.decided_by, application.decided_at = S.APPROVED, actor, clock.now()
    application.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit.record(
        actor,
        "redemption.approved",
        application,
        before={"status": S.SUBMITTED},
        after={"status": S.APPROVED, "fen": application.total_fen},
    )
    _tell(
        application.provider.organisation,
        application,
        "redemption.approved",
        _("Redemption application %(number)s is approved") % {"number": application.number},
    )
    return application


@transaction.atomic
def application_reject(*, actor, application_id: int, reason: str) -> Application:
    """Rejected with reasons; its payments are freed so the provider can correct and resubmit (R13)."""
    application = _lock(actor, application_id, REVIEWER)
    if application.status == S.REJECTED:
        return application
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reasons for rejection.")]})
    _require(application, S.REJECTED)
    application.lines.update(live=False)
    application.status, application.reject_reason = S.REJECTED, reason
    application.decided_by, application.decided_at = actor, clock.now()
    application.save(update_fields=["status", "reject_reason", "decided_by", "decided_at", "updated_at"])
    audit.record(
        actor,
        "redemption.rejected",
        application,
        before={"status": S.SUBMITTED},
        after={"status": S.REJECTED},
        reason=reason,
    )
    _tell(
        application.provider.organisation,
        application,
        "redemption.rejected",
        _("Redemption application %(number)s is rejected") % {"number": application.number},
        reason,
    )
    return application


@transaction.atomic
def application_record_payout(*, actor, application_id: int, paid_on: date, reference: str) -> Application:
    """The unit records the payout to the provider's bank account (date and bank reference)."""
    application = _lock(actor, application_id, REVIEWER)
    if application.status == S.PAID_OUT:
        return application
    reference = (reference or "").strip()[:60]
    errors = {}
    if not reference:
        errors["reference"] = [_("Enter the payout reference.")]
    if paid_on is None or paid_on > clock.today():
        errors["paid_on"] = [_("Enter the payout date; it cannot be in the future.")]
    if errors:
        raise ValidationFailed(fields=errors)
    _require(application, S.PAID_OUT)
    application.status, application.paid_on, application.payout_reference = S.PAID_OUT, paid_on, reference
    application.save(update_fields=["status", "paid_on", "payout_reference", "updated_at"])
    audit.record(
        actor,
        "redemption.paid_out",
        application,
        before={"status": S.APPROVED},
        after={"status": S.PAID_OUT, "paid_on": paid_on.isoformat(), "reference": reference},
    )
    _tell(
        application.provider.organisation,
        application,
        "redemption.paid_out",
        _("Redemption application %(number)s is paid out") % {"number": application.number},
        _("Paid on %(date)s, reference %(reference)s") % {"date": paid_on.isoformat(), "reference": reference},
    )
    return application


@transaction.atomic
def results_publish(*, actor) -> Notice | None:
    """The unit publishes the decided applications not yet published as one notice listing provider, amount and
    result (notice board, category redemption); each provider is notified. Nothing to publish: None."""
    if not access.is_city_unit(actor):
        raise PermissionDenied
    pending = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("provider__organisation")
        .filter(selectors.unpublished_results_q(), city_id=actor.organisation.city_id)
        .order_by("decided_at", "pk")
    )
    if not pending:
        return None
    rows = []
    for application in pending:
        result = _("approved") if application.status != S.REJECTED else _("rejected")
        rows.append(
            _("%(number)s  %(provider)s  %(amount)s  %(result)s")
            % {
                "number": application.number,
                "provider": application.provider.organisation.name,
                "amount": format_yuan(application.total_fen),
                "result": result,
            }
        )
    today = clock.today()
    notice = notice_publish(
        actor=actor,
        category=Notice.Category.REDEMPTION,
        title=_("Redemption results of %(city)s (%(date)s)") % {"city": actor.organisation.city.name, "date": today},
        body="\n".join([_("Application  Service provider  Amount  Result"), *rows]),
        obj=pending[0] if len(pending) == 1 else None,
    )
    Application.objects.filter(pk__in=[a.pk for a in pending]).update(result_notice=notice)
    audit.record(actor, "redemption.results_published", notice, after={"applications": [a.pk for a in pending]})
    for application in pending:
        _tell(
            application.provider.organisation,
            application,
            "redemption.result_published",
            _("The result of redemption application %(number)s is published") % {"number": application.number},
        )
    return notice
