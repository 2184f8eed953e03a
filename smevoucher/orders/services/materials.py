"""The materials each city requires besides the standard ones (issue 15.2): the unit names them per purpose
(payment, redemption) and describes each (what it is, why it is needed, an optional template file). The list is
public: enterprises, providers and anyone else may read it."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.core import access, audit
from smevoucher.core.errors import ValidationFailed
from smevoucher.documents import checks

from ..models import CityMaterial

TEXT_LIMIT = 2000


def required_materials(city_id: int, purpose: str = CityMaterial.Purpose.PAYMENT) -> list[str]:
    return list(CityMaterial.objects.filter(city_id=city_id, purpose=purpose).values_list("name", flat=True))


def _require_unit(actor) -> int:
    if not access.is_city_unit(actor):
        raise PermissionDenied
    return actor.organisation.city_id


@transaction.atomic
def city_materials_set(*, actor, purpose: str, names: list[str]) -> list[str]:
    """A city unit sets the extra materials its city requires (per purpose), in order. A material kept by name
    keeps its description and template."""
    city_id = _require_unit(actor)
    if purpose not in CityMaterial.Purpose.values:
        raise ValidationFailed(fields={"purpose": [_("Choose what the materials are for.")]})
    clean = []
    for name in names:
        name = (name or "").strip()[:100]
        if name and name not in clean:
            clean.append(name)
    rows = {m.name: m for m in CityMaterial.objects.select_for_update().filter(city_id=city_id, purpose=purpose)}
    before = sorted(rows, key=lambda name: rows[name].position)
    for name, row in rows.items():
        if name not in clean:
            _drop_template(row)
            row.delete()
    for position, name in enumerate(clean):
        row = rows.get(name)
        if row is None:
            CityMaterial.objects.create(city_id=city_id, purpose=purpose, name=name, position=position)
        elif row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    audit.record(
        actor, "orders.city_materials_set", actor.organisation, before={purpose: before}, after={purpose: clean}
    )
    return clean


def _drop_template(material: CityMaterial) -> None:
    if material.template:
        name = material.template.name
        transaction.on_commit(lambda: default_storage.delete(name))


def _template_content(upload) -> tuple[str, bytes]:
    upload.seek(0)
    content = upload.read(settings.DOCUMENTS_MAX_BYTES + 1)
    name = (getattr(upload, "name", "") or "template").rsplit("/", 1)[-1][:150]
    if len(content) > settings.DOCUMENTS_MAX_BYTES:
        raise ValidationFailed(fields={"template": [_("The template may be at most 5 MB.")]})
    try:
        checks.inspect(name, content)  # PDF, JPG or PNG, by content; no active content in a PDF
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={"template": [exc.message]}) from exc
    return name, content


@transaction.atomic
def city_material_describe(
    *, actor, material_id: int, description: str, reason: str, template=None, remove_template: bool = False
) -> CityMaterial:
    """The unit says what a required material is and why it is needed, and may attach a template (PDF, JPG or
    PNG, checked like any material) or remove it."""
    city_id = _require_unit(actor)
    material = CityMaterial.objects.select_for_update().filter(pk=material_id, city_id=city_id).first()
    if material is None:
        raise Http404
    description, reason = (description or "").strip(), (reason or "").strip()
    errors = {}
    for field, value in (("description", description), ("reason", reason)):
        if len(value) > TEXT_LIMIT:
            errors[field] = [_("At most %(n)s characters.") % {"n": TEXT_LIMIT}]
    if errors:
        raise ValidationFailed(fields=errors)
    before = {
        "description": material.description,
        "reason": material.reason,
        "template": material.template_name,
    }
    material.description, material.reason = description, reason
    if template is not None:
        name, content = _template_content(template)
        _drop_template(material)
        material.template.save(name, ContentFile(content), save=False)
        material.template_name = name
    elif remove_template:
        _drop_template(material)
        material.template, material.template_name = "", ""
    material.save()
    audit.record(
        actor,
        "orders.city_material_described",
        material,
        before=before,
        after={"description": description, "reason": reason, "template": material.template_name},
    )
    return material
