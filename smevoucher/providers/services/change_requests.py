"""Change requests (R4): an approved provider asks to change its name, user name or contact, with proof; the
reviewing unit applies or refuses it."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.accounts.models import User
from smevoucher.core import access, audit, identity
from smevoucher.core.change_requests import change_request_decide
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.directory.names import clean_name, name_key
from smevoucher.documents.models import Kind
from smevoucher.documents.services import document_use
from smevoucher.notices.services import notify, notify_organisation

from ..models import ChangeRequest, Provider

# The reviewer's checklist for the commitment letter (R3). The system checks the date's year itself as well.
from .registration import _locked, _notify_reviewers, _StoredFiles


def change_request_submit(
    *,
    actor,
    provider_id: int,
    proof_files: list,
    new_name: str = "",
    new_username: str = "",
    new_contact_name: str = "",
    new_contact_phone: str = "",
    new_contact_email: str = "",
    new_legal_representative: str = "",
    new_legal_rep_id_number: str = "",
    new_address: str = "",
    new_bank_name: str = "",
    new_bank_account_name: str = "",
    new_bank_account: str = "",
    explanation: str = "",
) -> ChangeRequest:
    """R4: an approved provider asks to change its name, user name or contact, with scanned proof (licence,
    authorisation, commitment letter); the unit that reviews the provider decides."""
    stored = _StoredFiles()
    try:
        return _change_request_submit(
            actor=actor,
            provider_id=provider_id,
            proof_files=proof_files,
            new={
                "name": clean_name(new_name),
                "username": (new_username or "").strip(),
                "contact_name": (new_contact_name or "").strip(),
                "contact_phone": (new_contact_phone or "").strip(),
                "contact_email": (new_contact_email or "").strip(),
                "legal_representative": (new_legal_representative or "").strip(),
                "legal_rep_id_hash": identity.id_number_hash(new_legal_rep_id_number),
                "address": " ".join((new_address or "").split()),
                "bank_name": (new_bank_name or "").strip(),
                "bank_account_name": (new_bank_account_name or "").strip(),
                "bank_account": "".join((new_bank_account or "").split()),
            },
            id_number=(new_legal_rep_id_number or "").strip(),
            explanation=(explanation or "").strip(),
            stored=stored,
        )
    except BaseException:
        stored.discard()
        raise


def _old_values(provider: Provider, user) -> dict:
    return {
        "name": provider.organisation.name,
        "username": user.username,
        "contact_name": provider.contact_name,
        "contact_phone": provider.contact_phone,
        "contact_email": provider.contact_email,
        **{field: getattr(provider, field) for field in FROZEN_FIELDS},
    }


# Issue 17: frozen after approval (the bank account is printed on the redemption form; the others are compared
# by the integrity signals): changed only through a change request.
FROZEN_FIELDS = (
    "legal_representative",
    "legal_rep_id_hash",
    "address",
    "bank_name",
    "bank_account_name",
    "bank_account",
)


@transaction.atomic
def _change_request_submit(*, actor, provider_id, proof_files, new, id_number, explanation, stored) -> ChangeRequest:
    provider = access.require(actor, "providers.change_provider", _locked(provider_id))
    if provider.status != Provider.Status.APPROVED:
        raise Conflict(_("Only an approved provider asks for changes; correct a returned registration directly."))
    old = _old_values(provider, actor)
    new = {field: value for field, value in new.items() if value and value != old[field]}
    errors: dict[str, list[str]] = {}
    if not new:
        errors["__all__"] = [
            _(
                "Enter at least one new value: full name, user name, contact, legal representative, address or "
                "bank account."
            )
        ]
    # Issue 17: the form of a new telephone and a new ID number, as for enterprises (an unchanged value is not new).
    for field, problems in identity.profile_errors(
        legal_rep_id_number=id_number if "legal_rep_id_hash" in new else None,
        contact_phone=new.get("contact_phone"),
    ).items():
        errors[f"new_{field}"] = problems
    if "bank_account" in new and not new["bank_account"].isdigit():
        errors["new_bank_account"] = [_("A bank account number has digits only.")]
    if "name" in new and Provider.objects.filter(name_key=name_key(new["name"])).exclude(pk=provider.pk).exists():
        errors["new_name"] = [_("Another registered provider has this name.")]
    if "username" in new and User.objects.filter(username__iexact=new["username"]).exclude(pk=actor.pk).exists():
        errors["new_username"] = [_("This user name is taken. Choose another.")]
    if not proof_files:
        errors["proof"] = [_("Attach the scanned proof (business licence, authorisation, commitment letter).")]
    if ChangeRequest.objects.filter(provider=provider, status=ChangeRequest.Status.PENDING).exists():
        errors["__all__"] = [_("A change request is already waiting for the unit's decision.")]
    if errors:
        raise ValidationFailed(fields=errors)
    proof = stored.upload("proof", actor=actor, kind=Kind.AUTHORISATION, files=proof_files)
    try:
        with transaction.atomic():
            change = ChangeRequest.objects.create(
                provider=provider,
                requested_by=actor,
                proof=proof,
                explanation=explanation,
                old_values={field: old[field] for field in new},
                new_legal_rep_id_last4=identity.id_number_last4(id_number) if "legal_rep_id_hash" in new else "",
                **{f"new_{field}": value for field, value in new.items()},
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            fields={"__all__": [_("A change request is already waiting for the unit's decision.")]}
        ) from exc
    document_use(document=proof, obj=change, role="change_proof")
    audit.record(actor, "provider.change_requested", provider, after={"request": change.pk, **new})
    _notify_reviewers(
        provider,
        event="provider.change_requested",
        title=_("Change request from %(name)s") % {"name": provider.name},
        url=reverse("providers:change_request", args=[change.pk]),
    )
    return change


def _change_for_decision(actor, request_id: int) -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update().filter(pk=request_id).first()
    provider = _locked(change.provider_id) if change else None
    access.require(actor, "providers.review_provider", provider)
    change.provider = provider
    return change


@transaction.atomic
def change_request_apply(*, actor, request_id: int, reply: str = "") -> ChangeRequest:
    """R4: the reviewing unit applies the requested changes; both sides are told."""
    change = _change_for_decision(actor, request_id)
    if not change_request_decide(change, actor=actor, to=ChangeRequest.Status.APPLIED, reply=(reply or "").strip()):
        return change  # a repeated click finds the work done
    provider, user = change.provider, change.requested_by
    organisation = provider.organisation
    try:
        with transaction.atomic():
            if change.new_name:
                organisation.name = change.new_name
                provider.name_key = name_key(change.new_name)
            if change.new_username:
                user.username = change.new_username
                user.save(update_fields=["username"])
            for field in ("contact_name", "contact_phone", "contact_email", *FROZEN_FIELDS):
                if value := getattr(change, f"new_{field}"):
                    setattr(provider, field, value)
            if change.new_legal_rep_id_hash:
                provider.legal_rep_id_last4 = change.new_legal_rep_id_last4
            provider.address_key = identity.address_key(provider.address)[:200]
            provider.phone_key = identity.phone_key(provider.contact_phone)[:20]
            provider.bank_account_key = identity.account_key(provider.bank_account)[:40]
            organisation.email, organisation.phone = provider.contact_email, provider.contact_phone
            organisation.save(update_fields=["name", "email", "phone"])
            keys = ["legal_rep_id_last4", "address_key", "phone_key", "bank_account_key"]
            provider.save(
                update_fields=["name_key", "contact_name", "contact_phone", "contact_email", *FROZEN_FIELDS, *keys]
            )
    except IntegrityError as exc:
        raise Conflict(_("The new name or user name is now used by someone else; refuse this request.")) from exc
    new = {field: getattr(change, f"new_{field}") for field in change.old_values}
    audit.record(
        actor,
        "provider.change_applied",
        provider,
        before=change.old_values,
        after={"request": change.pk, **new},
        reason=change.reply,
    )
    notify(
        [user, *organisation.users.exclude(pk=user.pk)],
        event="provider.change_applied",
        title=_("Your change request was applied"),
        body=change.reply,
        url=reverse("providers:change_request", args=[change.pk]),
        obj=change,
    )
    return change


@transaction.atomic
def change_request_refuse(*, actor, request_id: int, reply: str) -> ChangeRequest:
    """R4: the reviewing unit refuses a change request, saying why; nothing is changed."""
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed(fields={"reply": [_("Say why the request is refused.")]})
    change = _change_for_decision(actor, request_id)
    if not change_request_decide(change, actor=actor, to=ChangeRequest.Status.REFUSED, reply=reply):
        return change
    audit.record(actor, "provider.change_refused", change.provider, after={"request": change.pk}, reason=reply)
    notify_organisation(
        change.provider.organisation,
        event="provider.change_refused",
        title=_("Your change request was refused"),
        body=reply,
        url=reverse("providers:change_request", args=[change.pk]),
        obj=change,
    )
    return change
