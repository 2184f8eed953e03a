"""Demo service products (issue 5): published ones of the demo providers, one in review, one returned.
Idempotent: a product whose name the provider already has is left alone."""

from smevoucher.accounts.models import City
from smevoucher.catalogue import requirements
from smevoucher.catalogue import services as catalogue_services
from smevoucher.catalogue.models import ProductRevision
from smevoucher.core.pdf import render_pdf
from smevoucher.directory.names import name_key
from smevoucher.providers.models import Provider

COMPARABLES = [
    {
        "competitor": "广州某管理咨询有限公司",
        "product_name": "同类服务",
        "price_fen": 650000,
        "source": "对方官网公开报价",
    },
    {"competitor": "深圳某企业服务有限公司", "product_name": "同类服务", "price_fen": 720000, "source": "对方报价单"},
]

# (provider name, product name, category, pricing, outcome, extra content)
PRODUCTS = [
    (
        "广州市中小企业服务站（越秀站）",
        "中小企业数字化转型实务培训",
        "training",
        "tiers",
        "published",
        {
            "overview": "面向中小企业经营管理人员的数字化转型实务培训，结合本地制造业案例。",
            "process": "需求调研—课程定制—集中授课—考核—培训总结。",
            "duration": "培训结束后5个工作日内提交培训总结",
            "deliverables": "培训总结报告、学员结业证明、课程讲义。",
            "acceptance_criteria": "参训率不低于90%，企业签署验收单。",
            "tiers": [
                {"name": "基础班", "description": "1天课程，20人以内，通用课件", "price_fen": 300000},
                {"name": "标准班", "description": "2天课程，40人以内，含案例研讨", "price_fen": 580000},
                {"name": "定制班", "description": "3天定制课程，含企业现场诊断半天", "price_fen": 880000},
            ],
        },
    ),
    (
        "广东省中小企业数字化服务中心",
        "企业数字化水平诊断咨询",
        "report_consulting",
        "single",
        "published",
        {
            "overview": "对企业研发、生产、管理等环节的数字化水平进行诊断，出具诊断报告和改进建议。",
            "process": "问卷调查—现场访谈—数据分析—出具报告—报告解读。",
            "duration": "20个工作日",
            "deliverables": "《企业数字化水平诊断报告》一份。",
            "acceptance_criteria": "报告经企业确认并签署验收单。",
            "price_fen": 800000,
            "guidance_title": "广东省中小企业公共服务收费指导意见（演示）",
            "guidance_number": "粤中小服〔2020〕演示1号",
        },
    ),
    (
        "粤港澳中小企业综合服务平台（广州）有限公司",
        "商标注册代理服务",
        "ip_agency",
        "single",
        "submitted",
        {
            "overview": "为企业办理国内商标注册申请，含查询、材料准备和递交。",
            "process": "商标查询—材料准备—递交申请—跟踪受理。",
            "duration": "申请递交后约1个月取得受理通知书",
            "deliverables": "商标注册申请受理通知书。",
            "acceptance_criteria": "取得国家知识产权局商标局的受理通知书。",
            "price_fen": 150000,
        },
    ),
    (
        "广州市中小企业服务站（越秀站）",
        "小微企业日常财税代理服务",
        "routine",
        "single",
        "returned",
        {
            "overview": "为小微企业提供一年的记账、报税和财税咨询服务。",
            "sub_products": True,  # 记账、报税、财税咨询三项子服务: 3 to 5 sets (issue 15.5)
            "process": "签约—资料交接—每月记账报税—年度汇算。",
            "duration": "12个月",
            "deliverables": "月度财务报表、纳税申报记录。",
            "acceptance_criteria": "按月完成申报，无逾期。",
            "price_fen": 480000,
        },
    ),
]
RETURN_REASON = "历史服务材料第1套的服务过程记录字迹模糊，无法辨认，请重新上传清晰的扫描件。"


def _pdf(title: str, provider: str, product: str, client: str) -> list:
    pdf = render_pdf(
        "demo/material_pdf.html", {"title": title, "provider": provider, "product": product, "client": client}
    )
    return [(f"{title}.pdf", pdf)]


def seed_products(reviewers: dict, province_user) -> list[tuple[str, str, str]]:
    every_city = list(City.objects.values_list("pk", flat=True))
    guangzhou = City.objects.get(code="440100")
    for provider_name, name, category, pricing, outcome, extra in PRODUCTS:
        provider = Provider.objects.filter(name_key=name_key(provider_name), status=Provider.Status.APPROVED).first()
        if provider is None:
            continue
        if ProductRevision.objects.filter(product__provider=provider, name=name).exists():
            continue
        user = provider.organisation.users.order_by("pk").first()
        regions = [guangzhou.pk] if provider.level in ("municipal", "gz_station") else every_city
        content = {
            "name": name,
            "category": category,
            "regions": regions,
            "target_sizes": ["medium", "small", "micro"],
            "target_industries": [],
            "pricing": pricing,
            "comparables": COMPARABLES,
            "basis_cost": "人工成本与资料成本约占价格的70%。",
            "basis_profit": "利润率约15%。",
            "basis_tax": "按6%缴纳增值税。",
            **extra,
        }
        _required, what = requirements.qualification_for(category)
        content["qualification"] = _pdf("服务资质证明", provider.name, name, str(what))
        product = catalogue_services.product_create(actor=user, **content)
        sets = 3 if pricing == "tiers" or extra.get("sub_products") else 1
        for n in range(1, sets + 1):
            client = f"演示客户企业{n}（2024年）"
            evidence_items = requirements.evidence_for(category)
            catalogue_services.material_set_add(
                actor=user,
                product_id=product.pk,
                title=client,
                contract=_pdf(f"服务合同（第{n}套）", provider.name, name, client),
                invoice=_pdf(f"发票（第{n}套）", provider.name, name, client),
                evidence={
                    item: _pdf(f"{label}（第{n}套）", provider.name, name, client) for item, label in evidence_items
                },
            )
        catalogue_services.product_submit(actor=user, product_id=product.pk)
        reviewer = province_user if provider.level in ("national", "provincial") else reviewers[provider.city.code]
        if outcome == "published":
            catalogue_services.product_approve(actor=reviewer, product_id=product.pk)
        elif outcome == "returned":
            catalogue_services.product_return(actor=reviewer, product_id=product.pk, reason=RETURN_REASON)
    return [("products", "prov_gz1", "2 published (1 range-priced training), 1 in review (prov_nat1), 1 returned")]
