"""Test helpers: products made through the real services."""

import io
import itertools

from smevoucher.accounts.models import City
from smevoucher.providers.factories import approved_provider, provider_user_of, reviewer_for

from . import requirements as req
from . import services
from .models import Product

_serial = itertools.count(1)


def pdf_bytes(text: str = "") -> bytes:
    """A small distinct one-page PDF (distinct content, so no two materials share a fingerprint)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"{text}-{next(_serial)}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def files(name: str = "材料") -> list:
    return [(f"{name}.pdf", pdf_bytes(name))]


def content(provider, *, category: str = "training", tiers: bool = True, **overrides) -> dict:
    """Complete R5 content (without material sets) for a product of this provider."""
    region = list(City.objects.filter(code="440100").values_list("pk", flat=True))
    data = {
        "name": f"测试服务产品{next(_serial)}",
        "category": category,
        "regions": region,
        "target_sizes": ["small", "micro"],
        "target_industries": ["C"],
        "overview": "为中小企业提供专项服务。",
        "process": "需求调研—方案制定—实施—验收。",
        "duration": "30个工作日",
        "deliverables": "服务报告一份。",
        "acceptance_criteria": "企业签署验收单。",
        "guidance_title": "",
        "guidance_number": "",
        "comparables": [
            {"competitor": "甲公司", "product_name": "同类服务A", "price_fen": 500000, "source": "甲公司官网报价"},
            {"competitor": "乙公司", "product_name": "同类服务B", "price_fen": 650000, "source": "乙公司报价单"},
        ],
        "basis_cost": "人工成本约4000元。",
        "basis_profit": "利润率约15%。",
        "basis_tax": "增值税6%。",
    }
    if tiers:
        data["pricing"] = "tiers"
        data["tiers"] = [
            {"name": "基础班", "description": "1天课程，20人以内", "price_fen": 300000},
            {"name": "标准班", "description": "2天课程，40人以内", "price_fen": 580000},
            {"name": "定制班", "description": "3天定制课程", "price_fen": 880000},
        ]
    else:
        data["pricing"] = "single"
        data["price_fen"] = 800000
    if req.qualification_for(category)[0] or category == "training":
        data["qualification"] = files("资质证明")
    data.update(overrides)
    return data


def add_sets(product: Product, user, n: int, *, category: str | None = None) -> None:
    category = category or product.revisions.order_by("-number").first().category
    for _i in range(n):
        services.material_set_add(
            actor=user,
            product_id=product.pk,
            title=f"某企业{next(_serial)}（2024年）",
            contract=files("合同"),
            invoice=files("发票"),
            evidence={item: files(item) for item, _label in req.evidence_for(category)},
        )


def draft_product(provider=None, *, sets: int | None = None, level: str = "provincial", **kwargs) -> Product:
    """A complete draft (ready to submit) of an approved provider."""
    provider = provider or approved_provider(level=level)
    user = provider_user_of(provider)
    data = content(provider, **kwargs)
    product = services.product_create(actor=user, **data)
    add_sets(product, user, sets if sets is not None else (3 if data["pricing"] == "tiers" else 1))
    return product


def published_product(provider=None, **kwargs) -> Product:
    product = draft_product(provider, **kwargs)
    user = provider_user_of(product.provider)
    services.product_submit(actor=user, product_id=product.pk)
    services.product_approve(actor=reviewer_for(product.provider), product_id=product.pk)
    product.refresh_from_db()
    return product
