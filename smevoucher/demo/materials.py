"""Demo of issue 15.2: the Guangzhou unit names and describes the materials its city requires, with a template,
through the real services (before the demo orders pay, so their payments carry them)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from smevoucher.orders import services
from smevoucher.orders.models import CityMaterial

from .orders import _pdf

# (purpose, name, what it is, why it is needed, with a template)
MATERIALS = [
    (
        "payment",
        "服务验收单",
        "企业与服务机构双方签字盖章的服务验收单，写明服务内容、完成日期和验收结论。",
        "证明服务已按合同完成，服务机构据此确认收到服务券。",
        True,
    ),
    (
        "redemption",
        "服务券兑现承诺书",
        "服务机构法定代表人签字并加盖公章的兑现承诺书。",
        "承诺所申请兑现的服务真实发生，如有虚假愿承担相应责任。",
        False,
    ),
]


def seed_city_materials(unit) -> list[tuple[str, str, str]]:
    if CityMaterial.objects.filter(city_id=unit.organisation.city_id).exists():
        return []
    for purpose in ("payment", "redemption"):
        names = [name for p, name, *_rest in MATERIALS if p == purpose]
        services.city_materials_set(actor=unit, purpose=purpose, names=names)
    for purpose, name, what, why, template in MATERIALS:
        material = CityMaterial.objects.get(city_id=unit.organisation.city_id, purpose=purpose, name=name)
        filename, content = _pdf(f"{name}（模板）")[0]
        services.city_material_describe(
            actor=unit,
            material_id=material.pk,
            description=what,
            reason=why,
            template=SimpleUploadedFile(filename, content) if template else None,
        )
    return [("anyone", "-", "the Guangzhou unit's required materials: /orders/city-materials/guangzhou/")]
