"""Provider registration (R1, R3), review by the right unit (R4), correction and resubmission, and change
requests (R4)."""

from datetime import date

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.uscc import INVALID_MESSAGE, is_valid_uscc, normalize_uscc
from smevoucher.directory.models import CITY_LEVELS, Entry
from smevoucher.directory.names import clean_name, name_key
from smevoucher.directory.selectors import eligibility
from smevoucher.documents.models import Document, Kind
from smevoucher.documents.services import document_replace, document_upload, document_use
from smevoucher.notices.services import notify, notify_organisation

from .models import ChangeRequest, Provider
from .selectors import reviewing_unit

# The reviewer's checklist for the commitment letter (R3). The system checks the date's year itself as well.
CHECKLIST = [
    ("hand_signature", gettext_lazy("The legal representative signed by hand (a signature stamp is not accepted)")),
    ("seal_legible", gettext_lazy("The official seal is clear and legible")),
    ("date_current_year", gettext_lazy("The letter is dated in the current year")),
]
CHECKLIST_KEYS = [key for key, _label in CHECKLIST]
GUANGDONG_DIVISION = "44"

PROFILE_FIELDS = [
    "uscc",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
    "bank_name",
    "bank_account_name",
    "bank_account",
    "commitment_date",
]


def commitment_date_errors(value) -> list[str]:
    """R3: the commitment letter must be dated in the current year (and not in the future)."""
    today = clock.today()
    if not isinstance(value, date):
        return [_("Enter the date written on the commitment letter.")]
    if value.year != today.year:
        return [
            _("The commitment letter must be dated in the current year (%(year)s). Sign a new letter this year.")
            % {"year": today.year}
        ]
    if value > today:
        return [_("The date of the commitment letter cannot be in the future.")]
    return []


def _profile_errors(values: dict, *, provider: Provider | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    uscc = values.get("uscc")
    if uscc is not None:
        if not is_valid_uscc(uscc):
            errors["uscc"] = [str(INVALID_MESSAGE)]
        elif uscc[2:4] != GUANGDONG_DIVISION:
            # Seed: providers are organisations registered in Guangdong (在我省登记注册); characters 3-8 of the
            # code are the division of the registering authority (GB 32100-2015), 44xxxx for Guangdong.
            errors["uscc"] = [
                _(
                    "Only organisations registered in Guangdong may register "
                    "(the credit code's 3rd-4th characters are 44)."
                )
            ]
        elif Provider.objects.filter(uscc=uscc).exclude(pk=getattr(provider, "pk", None)).exists():
            errors["uscc"] = [_("A provider with this unified social credit code is already registered.")]
    required = {
        "legal_representative": _("Enter the legal representative."),
        "contact_name": _("Enter the contact person."),
        "contact_phone": _("Enter the contact telephone."),
        "contact_email": _("Enter the contact e-mail."),
        "address": _("Enter the address."),
        "bank_name": _("Enter the bank."),
        "bank_account_name": _("Enter the account name."),
        "bank_account": _("Enter the bank account number."),
    }
    for field, message in required.items():
        if field in values and not values[field]:
            errors[field] = [message]
    account = values.get("bank_account")
    if account and not account.replace(" ", "").replace("-", "").isdigit():
        errors["bank_account"] = [_("A bank account number has digits only.")]
    if "commitment_date" in values:
        if problems := commitment_date_errors(values["commitment_date"]):
            errors["commitment_date"] = problems
    return errors


def _clean_profile(values: dict) -> dict:
    cleaned = {}
    for field in PROFILE_FIELDS:
        if field not in values:
            continue
        value = values[field]
        if field == "uscc":
            value = normalize_uscc(value)
        elif field == "bank_account":
            value = "".join((value or "").split())
        elif isinstance(value, str):
            value = value.strip()
        cleaned[field] = value
    return cleaned


class _StoredFiles:
    """Uploaded materials are written to storage before the transaction commits; if it rolls back, delete them."""

    def __init__(self):
        self.paths: list[str] = []

    def upload(self, field: str, **kwargs) -> Document:
        try:
            document = document_upload(**kwargs)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={field: exc.fields.get("files") or [exc.message]}) from exc
        self.paths.append(document.file.name)
        return document

    def replace(self, field: str, **kwargs) -> Document:
        try:
            document = document_replace(**kwargs)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={field: exc.fields.get("files") or [exc.message]}) from exc
        self.paths.append(document.file.name)
        return document

    def discard(self):
        for path in self.paths:
            default_storage.delete(path)


def _notify_reviewers(provider: Provider, *, event: str, title: str, body: str = "", url: str = "") -> None:
    unit = reviewing_unit(provider)
    if unit is not None:
        notify_organisation(unit, event=event, title=title, body=body, url=url, obj=provider)


def provider_register(
    *,
    name: str,
    city: City | None,
    username: str,
    password: str,
    licence_files: list,
    commitment_files: list,
    **profile,
) -> Provider:
    """R1: register an organisation whose name is eligible in the directory, once; R3: the commitment letter
    dated in the current year. Creates the organisation, its administrator account and the registration with
    its two materials, and puts it in the queue of the unit that reviews it (R4). Nothing is saved when any
    field or material is refused."""
    stored = _StoredFiles()
    try:
        return _register(
            name=name,
            city=city,
            username=username,
            password=password,
            licence_files=licence_files,
            commitment_files=commitment_files,
            profile=profile,
            stored=stored,
        )
    except BaseException:
        stored.discard()
        raise


@transaction.atomic
def _register(*, name, city, username, password, licence_files, commitment_files, profile, stored) -> Provider:
    result = eligibility(name)
    if not result.eligible:
        raise ValidationFailed(result.message, code=f"not_eligible_{result.code}", fields={"name": [result.message]})
    entry = Entry.objects.select_for_update().get(pk=result.entry.pk)
    values = _clean_profile(profile)
    errors = _profile_errors(values)
    if entry.level in CITY_LEVELS:
        city = entry.city  # municipal platforms and stations belong to the entry's city (R2, R4)
    elif city is None:
        errors["city"] = [_("Choose the city where the organisation is registered.")]
    if not licence_files:
        errors["licence"] = [_("Upload the business licence.")]
    if not commitment_files:
        errors["commitment_letter"] = [_("Upload the signed and sealed commitment letter.")]
    username = (username or "").strip()
    if not username:
        errors["username"] = [_("Choose a user name.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken. Choose another.")]
    candidate = User(
        username=username, email=values.get("contact_email", ""), first_name=values.get("contact_name", "")
    )
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(fields=errors)

    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.PROVIDER,
                name=entry.name,
                city=city,
                email=values["contact_email"],
                phone=values["contact_phone"],
            )
            user = User(
                username=username,
                email=values["contact_email"],
                first_name=values["contact_name"],
                phone=values["contact_phone"],
                organisation=organisation,
                role=User.Role.ADMIN,
            )
            user.set_password(password)
            user.save()
            licence = stored.upload(
                "licence", actor=user, kind=Kind.BUSINESS_LICENCE, files=licence_files, organisation=organisation
            )
            letter = stored.upload(
                "commitment_letter",
                actor=user,
                kind=Kind.COMMITMENT_LETTER,
                files=commitment_files,
                organisation=organisation,
            )
            provider = Provider.objects.create(
                organisation=organisation,
                entry=entry,
                name_key=name_key(entry.name),
                level=entry.level,
                city=city,
                licence=licence,
                commitment_letter=letter,
                submitted_at=clock.now(),
                **values,
            )
    except IntegrityError as exc:
        # Lost a race with a simultaneous registration of the same organisation, code or user name.
        if Provider.objects.filter(name_key=name_key(entry.name)).exists():
            message = _("This organisation has already registered. Only one registration is allowed.")
            raise ValidationFailed(message, code="not_eligible_registered", fields={"name": [message]}) from exc
        if Provider.objects.filter(uscc=values["uscc"]).exists():
            raise ValidationFailed(
                fields={"uscc": [_("A provider with this unified social credit code is already registered.")]}
            ) from exc
        raise ValidationFailed(fields={"username": [_("This user name is taken. Choose another.")]}) from exc
    document_use(document=licence, obj=provider, role=Kind.BUSINESS_LICENCE)
    document_use(document=letter, obj=provider, role=Kind.COMMITMENT_LETTER)
    audit.record(
        user,
        "provider.registered",
        provider,
        after={"name": entry.name, "level": entry.level, "city": city.code, "uscc": values["uscc"], "entry": entry.pk},
    )
    _notify_reviewers(
        provider,
        event="provider.submitted",
        title=_("New provider registration to review: %(name)s") % {"name": entry.name},
        body=_("%(level)s, %(city)s. Open the registration to check its materials and decide.")
        % {"level": entry.get_level_display(), "city": city.name},
        url=reverse("providers:detail", args=[provider.pk]),
    )
    return provider


def _locked(provider_id: int) -> Provider | None:
    return Provider.objects.select_for_update().select_related("organisation", "entry").filter(pk=provider_id).first()


def provider_submit(
    *, actor, provider_id: int, changes: dict | None = None, licence_files=None, commitment_files=None
) -> Provider:
    """The provider corrects a returned registration (data and/or materials) and submits it again; it goes
    back into the reviewing unit's queue. A registration already waiting for review is left as it is."""
    stored = _StoredFiles()
    try:
        return _submit(
            actor=actor,
            provider_id=provider_id,
            changes=changes or {},
            licence_files=licence_files,
            commitment_files=commitment_files,
            stored=stored,
        )
    except BaseException:
        stored.discard()
        raise


@transaction.atomic
def _submit(*, actor, provider_id, changes, licence_files, commitment_files, stored) -> Provider:
    provider = access.require(actor, "providers.change_provider", _locked(provider_id))
    if provider.status == Provider.Status.SUBMITTED and not changes and not licence_files and not commitment_files:
        return provider  # a repeated click finds the work done
    if provider.status != Provider.Status.RETURNED:
        raise Conflict(_("Only a registration returned for correction can be corrected and submitted again."))
    values = _clean_profile(changes)
    errors = _profile_errors(values, provider=provider)
    if "commitment_date" not in values and (problems := commitment_date_errors(provider.commitment_date)):
        errors["commitment_date"] = problems  # R3: a letter from last year must be renewed before resubmission
    if errors:
        raise ValidationFailed(fields=errors)
    before = {field: getattr(provider, field) for field in values}
    for field, value in values.items():
        setattr(provider, field, value)
    replaced = {}
    if licence_files:
        provider.licence = stored.replace("licence", actor=actor, document_id=provider.licence_id, files=licence_files)
        replaced["licence"] = provider.licence_id
    if commitment_files:
        provider.commitment_letter = stored.replace(
            "commitment_letter", actor=actor, document_id=provider.commitment_letter_id, files=commitment_files
        )
        replaced["commitment_letter"] = provider.commitment_letter_id
    provider.status, provider.submitted_at = Provider.Status.SUBMITTED, clock.now()
    provider.save()
    if "contact_email" in values or "contact_phone" in values:
        Organisation.objects.filter(pk=provider.organisation_id).update(
            email=provider.contact_email, phone=provider.contact_phone
        )
    if licence_files:
        document_use(document=provider.licence, obj=provider, role=Kind.BUSINESS_LICENCE)
    if commitment_files:
        document_use(document=provider.commitment_letter, obj=provider, role=Kind.COMMITMENT_LETTER)
    audit.record(
        actor,
        "provider.resubmitted",
        provider,
        before={"status": "returned", **before},
        after={"status": "submitted", **values, **replaced},
    )
    _notify_reviewers(
        provider,
        event="provider.resubmitted",
        title=_("Corrected provider registration to review: %(name)s") % {"name": provider.name},
        url=reverse("providers:detail", args=[provider.pk]),
    )
    return provider


def _for_review(actor, provider_id: int) -> Provider:
    """The registration, locked, if the actor's unit decides on it (R4); otherwise "not found"."""
    return access.require(actor, "providers.review_provider", _locked(provider_id))


@transaction.atomic
def provider_approve(*, actor, provider_id: int, checklist: dict) -> Provider:
    """R4: the reviewing unit approves a submitted registration after ticking the commitment letter's
    checklist (R3); the system checks the letter's year once more."""
    provider = _for_review(actor, provider_id)
    if provider.status == Provider.Status.APPROVED:
        return provider  # a repeated click finds the work done
    if provider.status != Provider.Status.SUBMITTED:
        raise Conflict(_("The registration was returned; wait until the provider submits it again."))
    ticked = {key: bool((checklist or {}).get(key)) for key in CHECKLIST_KEYS}
    if not all(ticked.values()):
        missing = [str(label) for key, label in CHECKLIST if not ticked[key]]
        raise ValidationFailed(
            _("Tick every item of the checklist before approving, or return the registration with reasons."),
            fields={"checklist": missing},
        )
    if problems := commitment_date_errors(provider.commitment_date):
        raise ValidationFailed(problems[0], fields={"checklist": problems})
    provider.status, provider.review_note, provider.checklist = Provider.Status.APPROVED, "", ticked
    provider.decided_at = clock.now()
    provider.save(update_fields=["status", "review_note", "checklist", "decided_at"])
    audit.record(
        actor, "provider.approved", provider, before={"status": "submitted"}, after={"status": "approved", **ticked}
    )
    notify_organisation(
        provider.organisation,
        event="provider.approved",
        title=_("Your provider registration has been approved"),
        body=_("%(name)s may now publish service products.") % {"name": provider.name},
        url=reverse("providers:home"),
        obj=provider,
    )
    return provider


@transaction.atomic
def provider_return(*, actor, provider_id: int, reason: str, checklist: dict | None = None) -> Provider:
    """R4: the reviewing unit returns a submitted registration with the reasons the provider must fix."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reasons, so the provider knows what to fix.")]})
    provider = _for_review(actor, provider_id)
    if provider.status == Provider.Status.RETURNED and provider.review_note == reason:
        return provider  # a repeated click finds the work done
    if provider.status != Provider.Status.SUBMITTED:
        raise Conflict(_("Only a registration waiting for review can be returned."))
    ticked = {key: bool((checklist or {}).get(key)) for key in CHECKLIST_KEYS}
    provider.status, provider.review_note, provider.checklist = Provider.Status.RETURNED, reason, ticked
    provider.decided_at = clock.now()
    provider.save(update_fields=["status", "review_note", "checklist", "decided_at"])
    audit.record(
        actor,
        "provider.returned",
        provider,
        before={"status": "submitted"},
        after={"status": "returned", **ticked},
        reason=reason,
    )
    notify_organisation(
        provider.organisation,
        event="provider.returned",
        title=_("Your provider registration was returned for correction"),
        body=reason,
        url=reverse("providers:home"),
        obj=provider,
    )
    return provider


# --- Change requests (R4) -------------------------------------------------------------------------------------


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
            },
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
    }


@transaction.atomic
def _change_request_submit(*, actor, provider_id, proof_files, new, explanation, stored) -> ChangeRequest:
    provider = access.require(actor, "providers.change_provider", _locked(provider_id))
    if provider.status != Provider.Status.APPROVED:
        raise Conflict(_("Only an approved provider asks for changes; correct a returned registration directly."))
    old = _old_values(provider, actor)
    new = {field: value for field, value in new.items() if value and value != old[field]}
    errors: dict[str, list[str]] = {}
    if not new:
        errors["__all__"] = [_("Enter at least one new value: full name, user name or contact.")]
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
    if change.status == ChangeRequest.Status.APPLIED:
        return change  # a repeated click finds the work done
    if change.status != ChangeRequest.Status.PENDING:
        raise Conflict(_("This change request was already refused."))
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
            for field in ("contact_name", "contact_phone", "contact_email"):
                if value := getattr(change, f"new_{field}"):
                    setattr(provider, field, value)
            organisation.email, organisation.phone = provider.contact_email, provider.contact_phone
            organisation.save(update_fields=["name", "email", "phone"])
            provider.save(update_fields=["name_key", "contact_name", "contact_phone", "contact_email"])
    except IntegrityError as exc:
        raise Conflict(_("The new name or user name is now used by someone else; refuse this request.")) from exc
    change.status, change.reply = ChangeRequest.Status.APPLIED, (reply or "").strip()
    change.decided_by, change.decided_at = actor, clock.now()
    change.save(update_fields=["status", "reply", "decided_by", "decided_at"])
    new = {field: getattr(change, f"new_{field}") for field in change.old_values}
    audit.record(actor, "provider.change_applied", provider, before=change.old_values, after=new, reason=change.reply)
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
    if change.status == ChangeRequest.Status.REFUSED:
        return change
    if change.status != ChangeRequest.Status.PENDING:
        raise Conflict(_("This change request was already applied."))
    change.status, change.reply = ChangeRequest.Status.REFUSED, reply
    change.decided_by, change.decided_at = actor, clock.now()
    change.save(update_fields=["status", "reply", "decided_by", "decided_at"])
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
