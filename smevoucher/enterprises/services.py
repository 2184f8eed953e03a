from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.core import access, audit
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.uscc import INVALID_MESSAGE, is_valid_uscc, normalize_uscc
from smevoucher.notices.services import notify_organisation

from .models import Enterprise, Industry, PriorityTag, Size


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
) -> Enterprise:
    """Create the enterprise, its organisation and its administrator account (R0).

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
    elif Enterprise.objects.filter(uscc=uscc).exists():
        errors["uscc"] = [_("An enterprise with this unified social credit code is already registered.")]
    if size not in Size.values:
        errors["size"] = [_("Choose the enterprise size.")]
    if industry not in Industry.values:
        errors["industry"] = [_("Choose the industry.")]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken. Choose another.")]
    candidate = User(username=username, email=contact_email, first_name=contact_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(fields=errors)

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
            audit.record(
                user,
                "enterprise.signed_up",
                enterprise,
                after={"name": name, "uscc": uscc, "city": city.code, "size": size, "industry": industry},
            )
    except IntegrityError as exc:
        # Lost a race with a simultaneous sign-up using the same code or user name.
        if Enterprise.objects.filter(uscc=uscc).exists():
            fields = {"uscc": [_("An enterprise with this unified social credit code is already registered.")]}
        else:
            fields = {"username": [_("This user name is taken. Choose another.")]}
        raise ValidationFailed(fields=fields) from exc
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
