from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.core import access, audit
from smevoucher.core.errors import ValidationFailed

from .models import Organisation


@transaction.atomic
def unit_contacts_update(*, actor, contact_person: str, email: str, phone: str) -> Organisation:
    """A handling unit keeps its own contacts, shown in the help centre (seed 二(一)5, 四)."""
    if not access.is_unit_staff(actor):
        raise ValidationFailed(_("Only handling units keep contacts in the help centre."))
    unit = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
    values = {"contact_person": contact_person.strip(), "email": email.strip(), "phone": phone.strip()}
    if not values["email"] and not values["phone"]:
        raise ValidationFailed(fields={"email": [_("Give at least an e-mail address or a telephone number.")]})
    before = {field: getattr(unit, field) for field in values}
    if before != values:
        for field, value in values.items():
            setattr(unit, field, value)
        unit.save(update_fields=list(values))
        audit.record(actor, "unit.contacts_updated", unit, before=before, after=values)
    return unit
