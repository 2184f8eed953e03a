"""Enterprise change requests (issue 17): after approval an enterprise's profile is frozen (its city unit approved
those values, and the integrity signals compare them); the enterprise asks its city unit to change it, and the
values apply only when the unit applies the request. Same shape as the providers' change requests (R4)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, identity
from smevoucher.core.change_requests import change_request_decide
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.documents.models import Kind
from smevoucher.documents.services import StoredFiles, document_use
from smevoucher.notices.services import notify, notify_organisation

from ..models import Enterprise, EnterpriseChangeRequest, Industry, Size
from . import city_unit_of, identity_fields, profile_errors

ChangeRequest = EnterpriseChangeRequest

# A change of these is registered with the market regulator first and printed on the new business licence, which
# the unit compares; a change of contact, size or industry needs no document.
NEEDS_LICENCE = ("name", "legal_representative", "registered_address")


def _already_open() -> str:
    return _("A change request is already waiting for the city unit's decision.")


def enterprise_change_submit(
    *,
    actor,
    enterprise_id: int,
    new_name: str = "",
    new_size: str = "",
    new_industry: str = "",
    new_legal_representative: str = "",
    new_legal_rep_id_number: str = "",
    new_registered_address: str = "",
    new_contact_name: str = "",
    new_contact_phone: str = "",
    new_contact_email: str = "",
    explanation: str = "",
    licence_files=None,
) -> EnterpriseChangeRequest:
    """Issue 17: an approved (or suspended) enterprise's administrator proposes new profile values; its city unit
    decides. Nothing on the profile changes until then. One open request per enterprise (the database's partial
    unique index decides a race). The ID number is kept only as its keyed hash and last 4 characters."""
    stored = StoredFiles()
    try:
        return _submit(
            actor=actor,
            enterprise_id=enterprise_id,
            new={
                "name": " ".join((new_name or "").split()),
                "size": (new_size or "").strip(),
                "industry": (new_industry or "").strip(),
                "legal_representative": (new_legal_representative or "").strip(),
                "legal_rep_id_hash": identity.id_number_hash(new_legal_rep_id_number),
                "registered_address": " ".join((new_registered_address or "").split()),
                "contact_name": (new_contact_name or "").strip(),
                "contact_phone": (new_contact_phone or "").strip(),
                "contact_email": (new_contact_email or "").strip(),
            },
            id_number=(new_legal_rep_id_number or "").strip(),
            explanation=(explanation or "").strip(),
            licence_files=licence_files,
            stored=stored,
        )
    except BaseException:
        stored.discard()
        raise


def _old_values(enterprise: Enterprise) -> dict:
    values = {field: getattr(enterprise, field) for field in EnterpriseChangeRequest.FIELDS if field != "name"}
    return {**values, "name": enterprise.organisation.name}


@transaction.atomic
def _submit(*, actor, enterprise_id, new, id_number, explanation, licence_files, stored) -> EnterpriseChangeRequest:
    enterprise = Enterprise.objects.select_for_update().select_related("organisation").filter(pk=enterprise_id).first()
    access.require(actor, "enterprises.change_enterprise", enterprise)
    if enterprise.status not in (Enterprise.Status.APPROVED, Enterprise.Status.SUSPENDED):
        raise Conflict(
            _("Only an approved enterprise asks for changes; correct a pending or returned registration directly."),
            code="enterprise_not_approved",
        )
    old = _old_values(enterprise)
    new = {field: value for field, value in new.items() if value and value != old[field]}
    errors: dict[str, list[str]] = {}
    if not new:
        errors["__all__"] = [
            _(
                "Enter at least one new value: name, size, industry, legal representative, ID number, registered "
                "address or contact."
            )
        ]
    if "size" in new and new["size"] not in Size.values:
        errors["new_size"] = [_("Choose the enterprise size.")]
    if "industry" in new and new["industry"] not in Industry.values:
        errors["new_industry"] = [_("Choose the industry.")]
    for field, problems in profile_errors(
        legal_rep_id_number=id_number if "legal_rep_id_hash" in new else None,
        contact_phone=new.get("contact_phone"),
    ).items():
        errors[f"new_{field}"] = problems
    if any(field in new for field in NEEDS_LICENCE) and not licence_files:
        errors["licence"] = [
            _("A change of name, legal representative or registered address needs the new business licence.")
        ]
    if ChangeRequest.objects.filter(enterprise=enterprise, status=ChangeRequest.Status.PENDING).exists():
        errors["__all__"] = [_already_open()]
    if errors:
        raise ValidationFailed(fields=errors)
    licence = None
    if licence_files:
        organisation = enterprise.organisation
        licence = stored.upload(
            "licence", actor=actor, kind=Kind.BUSINESS_LICENCE, files=licence_files, organisation=organisation
        )
    try:
        with transaction.atomic():
            change = ChangeRequest.objects.create(
                enterprise=enterprise,
                requested_by=actor,
                licence=licence,
                explanation=explanation,
                old_values={
                    **{field: old[field] for field in new if field != "legal_rep_id_hash"},
                    **({"legal_rep_id_last4": enterprise.legal_rep_id_last4} if "legal_rep_id_hash" in new else {}),
                },
                new_legal_rep_id_last4=identity.id_number_last4(id_number) if "legal_rep_id_hash" in new else "",
                **{f"new_{field}": value for field, value in new.items()},
            )
    except IntegrityError as exc:  # lost the race with a simultaneous request (the partial unique index)
        raise ValidationFailed(fields={"__all__": [_already_open()]}) from exc
    if licence is not None:
        document_use(document=licence, obj=change, role="change_licence")
    audit.record(actor, "enterprise.change_requested", enterprise, after={"request": change.pk, **_shown(change)})
    unit = city_unit_of(enterprise)
    if unit is not None:
        notify_organisation(
            unit,
            event="enterprise.change_requested",
            title=_("Change request from %(name)s") % {"name": enterprise.name},
            url=reverse("enterprises:change_request", args=[change.pk]),
            obj=enterprise,
        )
    return change


def _shown(change: EnterpriseChangeRequest) -> dict:
    """The requested values as the audit log keeps them: an ID number as its last 4 characters only."""
    values = {field: getattr(change, f"new_{field}") for field in change.FIELDS if getattr(change, f"new_{field}")}
    if "legal_rep_id_hash" in values:
        values["legal_rep_id_hash"] = "****" + change.new_legal_rep_id_last4
    return values


def _change_for_decision(actor, request_id: int) -> EnterpriseChangeRequest:
    """The request and its enterprise, both locked (enterprise first, as the submission locks it), if the actor's
    unit decides on the enterprise (its own city unit); otherwise not found."""
    found = ChangeRequest.objects.filter(pk=request_id).values_list("enterprise_id", flat=True).first()
    enterprise = (
        Enterprise.objects.select_for_update().select_related("organisation").filter(pk=found).first()
        if found
        else None
    )
    access.require(actor, "enterprises.review_enterprise", enterprise)
    change = ChangeRequest.objects.select_for_update().get(pk=request_id)
    change.enterprise = enterprise
    return change


@transaction.atomic
def enterprise_change_apply(*, actor, request_id: int, reply: str = "") -> EnterpriseChangeRequest:
    """Issue 17: the enterprise's city unit applies the request: the new values, the recomputed matching keys
    (so the integrity signals compare the new values) and the new licence go on the profile in this
    transaction; both sides are told."""
    change = _change_for_decision(actor, request_id)
    if not change_request_decide(change, actor=actor, to=ChangeRequest.Status.APPLIED, reply=(reply or "").strip()):
        return change  # a repeated click finds the work done
    enterprise = change.enterprise
    organisation = enterprise.organisation
    if change.new_name:
        organisation.name = change.new_name
    for field in ("size", "industry", "legal_representative", "contact_name", "contact_phone", "contact_email"):
        if value := getattr(change, f"new_{field}"):
            setattr(enterprise, field, value)
    if change.new_legal_rep_id_hash:
        enterprise.legal_rep_id_hash = change.new_legal_rep_id_hash
        enterprise.legal_rep_id_last4 = change.new_legal_rep_id_last4
    for field, value in identity_fields(
        registered_address=change.new_registered_address, contact_phone=change.new_contact_phone
    ).items():
        setattr(enterprise, field, value)
    if change.licence_id:
        enterprise.licence = change.licence
        document_use(document=change.licence, obj=enterprise, role=Kind.BUSINESS_LICENCE)
    organisation.email, organisation.phone = enterprise.contact_email, enterprise.contact_phone
    organisation.save(update_fields=["name", "email", "phone"])
    enterprise.save()
    audit.record(
        actor,
        "enterprise.change_applied",
        enterprise,
        before=change.old_values,
        after={"request": change.pk, **_shown(change), "licence": enterprise.licence_id},
        reason=change.reply,
    )
    notify(
        [change.requested_by, *organisation.users.exclude(pk=change.requested_by_id)],
        event="enterprise.change_applied",
        title=_("Your change request was applied"),
        body=change.reply,
        url=reverse("enterprises:change_request", args=[change.pk]),
        obj=change,
    )
    return change


@transaction.atomic
def enterprise_change_refuse(*, actor, request_id: int, reply: str) -> EnterpriseChangeRequest:
    """Issue 17: the city unit refuses the request with its reasons; the profile stays as it is."""
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed(fields={"reply": [_("Say why the request is refused.")]})
    change = _change_for_decision(actor, request_id)
    if not change_request_decide(change, actor=actor, to=ChangeRequest.Status.REFUSED, reply=reply):
        return change
    audit.record(actor, "enterprise.change_refused", change.enterprise, after={"request": change.pk}, reason=reply)
    notify_organisation(
        change.enterprise.organisation,
        event="enterprise.change_refused",
        title=_("Your change request was refused"),
        body=reply,
        url=reverse("enterprises:change_request", args=[change.pk]),
        obj=change,
    )
    return change
