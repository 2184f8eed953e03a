from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.core import access, audit, identity
from smevoucher.core.errors import Conflict, DomainError, ValidationFailed
from smevoucher.core.identity import profile_errors
from smevoucher.core.uscc import INVALID_MESSAGE, is_valid_uscc, normalize_uscc
from smevoucher.documents.models import Document, Kind
from smevoucher.documents.selectors import pending_document
from smevoucher.documents.services import document_replace, document_upload, document_use
from smevoucher.notices.services import notify_organisation

from ..models import Enterprise, Industry, PriorityTag, Size


def enterprise_sign_up(
    *,
    name: str,
    uscc: str,
    city: City,
    size: str,
    industry: str,
    legal_representative: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    username: str,
    password: str,
    licence_files: list | None = None,
    legal_rep_id_number: str = "",
    registered_address: str = "",
) -> Enterprise:
    """Create the enterprise, its organisation and its administrator account (R0), with its business licence
    (the sign-up page requires it; an API client may upload it afterwards with `enterprise_resubmit`).

    One account per credit code: the database's unique constraint decides, so two simultaneous
    sign-ups with the same code give one enterprise and one clear refusal. Nothing is saved when any
    field is refused.
    """
    name = " ".join((name or "").split())
    uscc = normalize_uscc(uscc)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the enterprise's full registered name.")]
    if not is_valid_uscc(uscc):
        errors["uscc"] = [str(INVALID_MESSAGE)]
    if size not in Size.values:
        errors["size"] = [_("Choose the enterprise size.")]
    if industry not in Industry.values:
        errors["industry"] = [_("Choose the industry.")]
    if not (legal_representative or "").strip():
        errors["legal_representative"] = [_("Enter the legal representative's name as on the business licence.")]
    # Issue 17: the ID number and the registered address are asked for (the integrity signals compare them) but not
    # required, so that clients written before them keep working; what is given must be well formed.
    errors.update(profile_errors(legal_rep_id_number=legal_rep_id_number or None, contact_phone=contact_phone))
    candidate = User(username=username, email=contact_email, first_name=contact_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(fields=errors)
    # Whether a credit code or a user name is already taken is told only to a sign-up that is otherwise
    # complete (a prober cannot ask cheaply), and a taken credit code is told to its owner and their unit.
    registered = Enterprise.objects.filter(uscc=uscc).select_related("organisation", "city").first()
    if registered is not None:
        _tell_owner_of_repeat_sign_up(
            registered, contact_name=contact_name, contact_phone=contact_phone, contact_email=contact_email
        )
        raise ValidationFailed(fields={"uscc": [str(REPEAT_SIGN_UP_MESSAGE)]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(fields={"username": [_("This user name is taken. Choose another.")]})

    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.ENTERPRISE, name=name, city=city, email=contact_email, phone=contact_phone
            )
            enterprise = Enterprise.objects.create(
                organisation=organisation,
                uscc=uscc,
                city=city,
                size=size,
                industry=industry,
                legal_representative=legal_representative.strip(),
                contact_name=contact_name.strip(),
                contact_phone=contact_phone.strip(),
                contact_email=contact_email.strip(),
                **identity_fields(
                    legal_rep_id_number=legal_rep_id_number,
                    registered_address=registered_address,
                    contact_phone=contact_phone,
                ),
            )
            user = User(
                username=username,
                email=contact_email,
                first_name=contact_name,
                phone=contact_phone,
                organisation=organisation,
                role=User.Role.ADMIN,
            )
            user.set_password(password)
            user.save()
            if licence_files:
                enterprise.licence = _upload_licence(user, enterprise, licence_files)
                enterprise.save(update_fields=["licence"])
            audit.record(
                user,
                "enterprise.signed_up",
                enterprise,
                after={
                    "name": name,
                    "uscc": uscc,
                    "city": city.code,
                    "size": size,
                    "industry": industry,
                    "licence": enterprise.licence_id,
                },
            )
    except IntegrityError as exc:
        # Lost a race with a simultaneous sign-up using the same code or user name.
        if Enterprise.objects.filter(uscc=uscc).exists():
            fields = {"uscc": [str(REPEAT_SIGN_UP_MESSAGE)]}
        else:
            fields = {"username": [_("This user name is taken. Choose another.")]}
        raise ValidationFailed(fields=fields) from exc
    return enterprise


REPEAT_SIGN_UP_MESSAGE = gettext_lazy(
    "This unified social credit code cannot be signed up again. If your enterprise already has an account, its "
    "account holder and your city handling unit have been told of this attempt with your contact details: ask "
    "them for access, or contact the city handling unit."
)


def _tell_owner_of_repeat_sign_up(enterprise: Enterprise, *, contact_name: str, contact_phone: str, contact_email: str):
    """Someone tried to sign up an already registered credit code: its account holders and its city unit
    hear of it (with the applicant's contacts, so a colleague can be given access), not the applicant."""
    title = _("Someone tried to sign up your enterprise again")
    body = _(
        "A sign-up was attempted with the credit code of %(name)s, which already has an account. The applicant "
        "gave these contacts: %(contact)s, %(phone)s, %(email)s. If this was a colleague, the account holder can "
        "share access; otherwise no action is needed."
    ) % {
        "name": enterprise.name,
        "contact": contact_name.strip(),
        "phone": contact_phone.strip(),
        "email": contact_email.strip(),
    }
    notify_organisation(
        enterprise.organisation, event="enterprise.repeat_sign_up", title=title, body=body, obj=enterprise
    )
    unit = Organisation.objects.filter(kind=access.CITY_UNIT, city_id=enterprise.city_id).first()
    if unit is not None:
        notify_organisation(unit, event="enterprise.repeat_sign_up", title=title, body=body, obj=enterprise)


def _upload_licence(actor, enterprise: Enterprise, files: list):
    """The licence as a material (R15): checked, merged, stored privately; a new version replaces the old."""
    try:
        if enterprise.licence_id:
            document = document_replace(actor=actor, document_id=enterprise.licence_id, files=files)
        elif isinstance(files, Document):  # kept from a refused form (issue 13): the user's own pending licence
            document = pending_document(actor=actor, document_id=files.pk, kind=Kind.BUSINESS_LICENCE)
            if document is None or document.organisation_id != enterprise.organisation_id:
                raise ValidationFailed(fields={"files": [_("Choose the files again.")]})
        else:
            document = document_upload(
                actor=actor, kind=Kind.BUSINESS_LICENCE, files=files, organisation=enterprise.organisation
            )
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={"licence": exc.fields.get("files") or [exc.message]}) from exc
    document_use(document=document, obj=enterprise, role=Kind.BUSINESS_LICENCE)
    return document


class NotApproved(DomainError):
    code = "enterprise_not_approved"
    status = 403


def require_approved(enterprise: Enterprise | None) -> Enterprise:
    """R0: only an enterprise its city unit approved may claim vouchers or order. Claims and orders call this
    first; it raises a DomainError (code `enterprise_not_approved`) with a message saying what to do."""
    if enterprise is None:
        raise NotApproved(_("Only a signed-up enterprise can do this."))
    if enterprise.status == Enterprise.Status.RETURNED:
        raise NotApproved(
            _(
                "Your enterprise registration was returned for correction. Correct it and submit it again; it can "
                "claim vouchers and order only after its city unit approves it."
            )
        )
    if enterprise.status == Enterprise.Status.SUSPENDED:
        unit = city_unit_of(enterprise)
        raise NotApproved(
            _(
                "Your enterprise is suspended by its city unit and cannot claim vouchers or order: %(reason)s. "
                "Contact %(unit)s (%(phone)s)."
            )
            % {
                "reason": enterprise.suspension_reason,
                "unit": unit.name if unit else "",
                "phone": unit.phone if unit else "",
            },
            code="enterprise_suspended",
        )
    if enterprise.status != Enterprise.Status.APPROVED:
        raise NotApproved(
            _("Your enterprise is waiting for its city unit's review; it can claim vouchers and order once approved.")
        )
    return enterprise


RESUBMIT_FIELDS = [
    "name",
    "size",
    "industry",
    "legal_representative",
    "legal_rep_id_number",
    "registered_address",
    "contact_name",
    "contact_phone",
    "contact_email",
]


def identity_fields(*, legal_rep_id_number: str = "", registered_address: str = "", contact_phone: str = "") -> dict:
    """Issue 17: the matching keys the integrity signals compare. The ID number is kept only as a keyed hash and
    its last 4 characters; empty input leaves the stored value as it is (a caller passes only what it has)."""
    fields = {}
    if (legal_rep_id_number or "").strip():
        fields["legal_rep_id_hash"] = identity.id_number_hash(legal_rep_id_number)
        fields["legal_rep_id_last4"] = identity.id_number_last4(legal_rep_id_number)
    if (registered_address or "").strip():
        fields["registered_address"] = " ".join(registered_address.split())[:200]
        fields["address_key"] = identity.address_key(registered_address)[:200]
    if (contact_phone or "").strip():
        fields["phone_key"] = identity.phone_key(contact_phone)[:20]
    return fields


@transaction.atomic
def enterprise_resubmit(*, actor, enterprise_id: int, changes: dict | None = None, licence_files=None) -> Enterprise:
    """R0: the enterprise corrects what its city unit returned (data and/or a new licence) and submits it
    again for review; a pending enterprise may also add or replace its licence. An approved one cannot."""
    enterprise = Enterprise.objects.select_for_update().select_related("organisation").filter(pk=enterprise_id).first()
    access.require(actor, "enterprises.change_enterprise", enterprise)
    if enterprise.status in (Enterprise.Status.APPROVED, Enterprise.Status.SUSPENDED):
        raise Conflict(_("The enterprise is already approved; nothing needs to be submitted."))
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in (changes or {}).items() if k in RESUBMIT_FIELDS}
    changes = {k: v for k, v in changes.items() if v not in (None, "")}
    errors = {}
    if "size" in changes and changes["size"] not in Size.values:
        errors["size"] = [_("Choose the enterprise size.")]
    if "industry" in changes and changes["industry"] not in Industry.values:
        errors["industry"] = [_("Choose the industry.")]
    if not licence_files and enterprise.licence_id is None:
        errors["licence"] = [_("Upload the business licence.")]
    errors.update(
        profile_errors(
            legal_rep_id_number=changes.get("legal_rep_id_number"), contact_phone=changes.get("contact_phone")
        )
    )
    if errors:
        raise ValidationFailed(fields=errors)
    before = {
        "status": enterprise.status,
        **{field: getattr(enterprise, field) for field in changes if field not in ("name", "legal_rep_id_number")},
    }
    if "name" in changes:
        before["name"] = enterprise.organisation.name
        enterprise.organisation.name = " ".join(changes["name"].split())
    keys = identity_fields(
        legal_rep_id_number=changes.get("legal_rep_id_number", ""),
        registered_address=changes.get("registered_address", ""),
        contact_phone=changes.get("contact_phone", ""),
    )
    if "legal_rep_id_number" in changes:  # never stored or logged: only its keyed hash and last 4 characters
        changes["legal_rep_id_number"] = "****" + keys["legal_rep_id_last4"]
    for field, value in changes.items():
        if field not in ("name", "legal_rep_id_number", "registered_address"):
            setattr(enterprise, field, value)
    for field, value in keys.items():
        setattr(enterprise, field, value)
    enterprise.organisation.email = enterprise.contact_email
    enterprise.organisation.phone = enterprise.contact_phone
    enterprise.organisation.save(update_fields=["name", "email", "phone"])
    if licence_files:
        enterprise.licence = _upload_licence(actor, enterprise, licence_files)
    was_returned = enterprise.status == Enterprise.Status.RETURNED
    enterprise.status = Enterprise.Status.PENDING
    enterprise.save()
    audit.record(
        actor,
        "enterprise.resubmitted",
        enterprise,
        before=before,
        after={"status": "pending", **changes, "licence": enterprise.licence_id},
    )
    unit = enterprise.city.organisations.filter(kind=Organisation.Kind.CITY_UNIT).first()
    if unit is not None:
        notify_organisation(
            unit,
            event="enterprise.resubmitted",
            title=(
                _("Corrected enterprise registration to review: %(name)s")
                if was_returned
                else _("Enterprise registration updated: %(name)s")
            )
            % {"name": enterprise.name},
            url=reverse("enterprises:detail", args=[enterprise.pk]),
            obj=enterprise,
        )
    return enterprise


def _enterprise_for_review(*, actor, enterprise_id: int) -> Enterprise:
    """The enterprise, locked, if the actor's unit decides on it (R0: its own city unit); else not found."""
    enterprise = Enterprise.objects.select_for_update().select_related("organisation").filter(pk=enterprise_id).first()
    return access.require(actor, "enterprises.review_enterprise", enterprise)


@transaction.atomic
def enterprise_approve(*, actor, enterprise_id: int) -> Enterprise:
    """R0: the enterprise's city unit approves it; only then may it claim vouchers and order."""
    enterprise = _enterprise_for_review(actor=actor, enterprise_id=enterprise_id)
    if enterprise.status == Enterprise.Status.APPROVED:
        return enterprise  # a repeated click finds the work done
    if enterprise.licence_id is None:
        raise ValidationFailed(
            _("The enterprise has not uploaded its business licence yet; it cannot be approved without it."),
            fields={"licence": [_("No business licence uploaded.")]},
        )
    if enterprise.status == Enterprise.Status.RETURNED:
        raise Conflict(_("The registration was returned; wait until the enterprise submits it again."))
    if enterprise.status == Enterprise.Status.SUSPENDED:
        raise Conflict(_("The enterprise is suspended; reinstate it instead."), code="enterprise_suspended")
    before = enterprise.status
    enterprise.status, enterprise.review_note = Enterprise.Status.APPROVED, ""
    enterprise.save(update_fields=["status", "review_note"])
    audit.record(actor, "enterprise.approved", enterprise, before={"status": before}, after={"status": "approved"})
    notify_organisation(
        enterprise.organisation,
        event="enterprise.approved",
        title=_("Your enterprise has been approved"),
        body=_("%(name)s may now claim vouchers and order services.") % {"name": enterprise.name},
        url=reverse("enterprises:home"),
        obj=enterprise,
    )
    return enterprise


@transaction.atomic
def enterprise_return(*, actor, enterprise_id: int, reason: str) -> Enterprise:
    """R0: the city unit returns the registration with the reasons the enterprise must fix."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reasons, so the enterprise knows what to fix.")]})
    enterprise = _enterprise_for_review(actor=actor, enterprise_id=enterprise_id)
    if enterprise.status in (Enterprise.Status.APPROVED, Enterprise.Status.SUSPENDED):
        # Issue 15.10: returning an approved enterprise would be a silent revocation; suspend it instead.
        raise Conflict(
            _("An approved enterprise cannot be returned; suspend it with a reason instead."), code="use_suspend"
        )
    before = enterprise.status
    enterprise.status, enterprise.review_note = Enterprise.Status.RETURNED, reason
    enterprise.save(update_fields=["status", "review_note"])
    audit.record(
        actor, "enterprise.returned", enterprise, before={"status": before}, after={"status": "returned"}, reason=reason
    )
    notify_organisation(
        enterprise.organisation,
        event="enterprise.returned",
        title=_("Your enterprise registration was returned"),
        body=reason,
        url=reverse("enterprises:home"),
        obj=enterprise,
    )
    return enterprise


@transaction.atomic
def enterprise_set_priority_tags(*, actor, enterprise_id: int, tag_codes: list[str]) -> Enterprise:
    """R6: units mark priority enterprises (重点支持对象), who are allocated first."""
    enterprise = _enterprise_for_review(actor=actor, enterprise_id=enterprise_id)
    tags = list(PriorityTag.objects.filter(code__in=tag_codes))
    if len(tags) != len(set(tag_codes)):
        raise ValidationFailed(fields={"tags": [_("Unknown priority tag.")]})
    before = sorted(enterprise.priority_tags.values_list("code", flat=True))
    enterprise.priority_tags.set(tags)
    after = sorted(tag.code for tag in tags)
    if before != after:
        audit.record(actor, "enterprise.priority_tags_set", enterprise, before={"tags": before}, after={"tags": after})
    return enterprise


def city_unit_of(enterprise: Enterprise) -> Organisation | None:
    """The unit that reviews the enterprise (R0), whose contact a suspended enterprise is shown."""
    return Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city_id=enterprise.city_id).first()


@transaction.atomic
def enterprise_suspend(*, actor, enterprise_id: int, reason: str) -> Enterprise:
    """Issue 15.10: the city unit suspends an approved enterprise with a reason; it cannot claim or order (its
    open orders and wallet run on), is told why and whom to contact, and may be reinstated."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason.")]})
    enterprise = _enterprise_for_review(actor=actor, enterprise_id=enterprise_id)
    if enterprise.status == Enterprise.Status.SUSPENDED:
        return enterprise  # a repeated click
    if enterprise.status != Enterprise.Status.APPROVED:
        raise Conflict(_("Only an approved enterprise can be suspended."), code="enterprise_not_approved")
    enterprise.status, enterprise.suspension_reason = Enterprise.Status.SUSPENDED, reason
    enterprise.save(update_fields=["status", "suspension_reason"])
    audit.record(
        actor,
        "enterprise.suspended",
        enterprise,
        before={"status": "approved"},
        after={"status": "suspended"},
        reason=reason,
    )
    notify_organisation(
        enterprise.organisation,
        event="enterprise.suspended",
        title=_("Your enterprise is suspended"),
        body=reason,
        url=reverse("enterprises:home"),
        obj=enterprise,
    )
    return enterprise


@transaction.atomic
def enterprise_reinstate(*, actor, enterprise_id: int, reason: str = "") -> Enterprise:
    """Issue 15.10: the city unit lifts the suspension; the enterprise may claim and order again."""
    enterprise = _enterprise_for_review(actor=actor, enterprise_id=enterprise_id)
    if enterprise.status != Enterprise.Status.SUSPENDED:
        return enterprise  # nothing to lift (a repeated click)
    reason = (reason or "").strip()[:2000]
    enterprise.status, enterprise.suspension_reason = Enterprise.Status.APPROVED, ""
    enterprise.save(update_fields=["status", "suspension_reason"])
    audit.record(
        actor,
        "enterprise.reinstated",
        enterprise,
        before={"status": "suspended"},
        after={"status": "approved"},
        reason=reason,
    )
    notify_organisation(
        enterprise.organisation,
        event="enterprise.reinstated",
        title=_("Your enterprise is reinstated"),
        body=reason,
        url=reverse("enterprises:home"),
        obj=enterprise,
    )
    return enterprise


from .change_requests import enterprise_change_apply, enterprise_change_refuse, enterprise_change_submit  # noqa: E402

__all__ = [
    "RESUBMIT_FIELDS",
    "city_unit_of",
    "enterprise_approve",
    "enterprise_change_apply",
    "enterprise_change_refuse",
    "enterprise_change_submit",
    "enterprise_reinstate",
    "enterprise_resubmit",
    "enterprise_return",
    "enterprise_set_priority_tags",
    "enterprise_sign_up",
    "enterprise_suspend",
    "identity_fields",
    "profile_errors",
    "require_approved",
]
