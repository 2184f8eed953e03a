"""Provider registration (R1, R3), correction and resubmission."""

from datetime import date

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.core import access, audit, clock, identity
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.uscc import INVALID_MESSAGE, is_valid_uscc, normalize_uscc
from smevoucher.directory.models import CITY_LEVELS, Entry
from smevoucher.directory.names import name_key
from smevoucher.directory.selectors import eligibility
from smevoucher.documents.models import Kind
from smevoucher.documents.services import StoredFiles, document_use
from smevoucher.notices.services import notify_organisation

from ..models import Provider
from ..selectors import reviewing_unit

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


def _profile_errors(
    values: dict, *, provider: Provider | None = None, id_number: str | None = None
) -> dict[str, list[str]]:
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
    # Issue 17: the form of the telephone and of the legal representative's ID number, as for enterprises. The ID
    # number is asked for, not required: left empty it is not checked (nor stored).
    form_errors = identity.profile_errors(
        legal_rep_id_number=(id_number or "").strip() or None, contact_phone=values.get("contact_phone") or None
    )
    for field, problems in form_errors.items():
        errors.setdefault(field, problems)
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
    return {**cleaned, **_matching_keys(values, cleaned)}


def _matching_keys(values: dict, cleaned: dict) -> dict:
    """Issue 17: the keys the integrity signals compare. The legal representative's ID number is kept only as a
    keyed hash and its last 4 characters."""
    keys = {}
    if (values.get("legal_rep_id_number") or "").strip():
        keys["legal_rep_id_hash"] = identity.id_number_hash(values["legal_rep_id_number"])
        keys["legal_rep_id_last4"] = identity.id_number_last4(values["legal_rep_id_number"])
    if "address" in cleaned:
        keys["address_key"] = identity.address_key(cleaned["address"])[:200]
    if "contact_phone" in cleaned:
        keys["phone_key"] = identity.phone_key(cleaned["contact_phone"])[:20]
    if "bank_account" in cleaned:
        keys["bank_account_key"] = identity.account_key(cleaned["bank_account"])[:40]
    return keys


_StoredFiles = StoredFiles  # shared with the enterprises' change requests (issue 17)


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
    errors = _profile_errors(values, id_number=profile.get("legal_rep_id_number"))
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
    candidate = User(
        username=username, email=values.get("contact_email", ""), first_name=values.get("contact_name", "")
    )
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(fields=errors)
    # A taken user name is told only to an otherwise complete registration (no cheap user-name oracle).
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(fields={"username": [_("This user name is taken. Choose another.")]})

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
    errors = _profile_errors(values, provider=provider, id_number=changes.get("legal_rep_id_number"))
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
