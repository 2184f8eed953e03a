"""Demo orders (issue 8): ent_gz2 (¥5,000 of the allocated Guangzhou batch) orders the Yuexiu station's training,
one order in each state of its life, through the real services."""

import io

from pypdf import PdfWriter

from smevoucher.accounts.models import Organisation, User
from smevoucher.catalogue.models import Product
from smevoucher.core import clock
from smevoucher.documents.services import document_upload
from smevoucher.orders import services
from smevoucher.orders.models import Order
from smevoucher.vouchers.models import Batch

from . import data

S = Order.Status
# the state each demo order is taken to (refund_requested: vouchers received, a refund waiting for the unit)
STATES = [
    "placed",
    "confirmed",
    "contract_uploaded",
    "contract_returned",
    "contract_confirmed",
    "completed",
    "payment_submitted",
    "payment_rejected",
    "payment_confirmed",
    "refund_requested",
    "refunded",
    "declined",
    "cancelled",
]


def _pdf(title: str) -> list:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return [(f"{title}.pdf", out.getvalue())]


def _doc(user, kind, title):
    return document_upload(actor=user, kind=kind, files=_pdf(title)).pk


def seed_orders() -> list[tuple[str, str, str]]:
    batch = Batch.objects.filter(name=data.ALLOCATED_BATCH["name"]).first()
    product = Product.objects.filter(published_revision__name="中小企业数字化转型实务培训").first()
    enterprise_user = User.objects.filter(username="ent_gz2").first()
    if batch is None or product is None or enterprise_user is None or Order.objects.exists():
        return []
    provider_user = product.provider.organisation.users.order_by("pk").first()
    unit_user = (
        User.objects.filter(organisation__kind=Organisation.Kind.CITY_UNIT, organisation__city_id=batch.city_id)
        .order_by("pk")
        .first()
    )
    revision = product.published_revision
    tier = revision.tiers.order_by("position").first()
    enterprise_city = enterprise_user.organisation.enterprise.city_id
    e, p = enterprise_user, provider_user
    for n, state in enumerate(STATES, start=1):
        order = services.order_place(
            actor=e,
            revision_id=revision.pk,
            tier_id=tier.pk,
            batch_id=batch.pk,
            expected_voucher_fen=300_00,
            note=f"演示订单{n}",
        )
        pk = order.pk
        if state == "cancelled":
            services.order_cancel(actor=e, order_id=pk)
        if state == "declined":
            services.order_decline(actor=p, order_id=pk, reason="培训档期已满，无法安排。")
        if state in ("placed", "cancelled", "declined"):
            continue
        services.order_confirm(actor=p, order_id=pk)
        if state == "confirmed":
            continue
        services.contract_upload(actor=e, order_id=pk, document_id=_doc(e, "contract", f"服务合同{n}"))
        if state == "contract_returned":
            services.contract_return(actor=p, order_id=pk, reason="合同缺少双方盖章页，请补充后重新上传。")
        if state in ("contract_uploaded", "contract_returned"):
            continue
        services.contract_confirm(actor=p, order_id=pk)
        if state == "contract_confirmed":
            continue
        services.order_complete(actor=p, order_id=pk, completed_on=clock.today())
        if state == "completed":
            continue
        voucher = 250_00 if state == "payment_confirmed" else 300_00  # one pays less than expected
        services.payment_submit(
            actor=e,
            order_id=pk,
            invoice_number=f"4400{n:06d}",
            invoice_date=clock.today(),
            invoice_fen=tier.price_fen,
            own_share_fen=tier.price_fen - voucher,
            voucher_fen=voucher,
            invoice_id=_doc(e, "invoice", f"发票{n}"),
            transfer_proof_id=_doc(e, "transfer_proof", f"转账凭证{n}"),
            materials={name: _doc(e, "city_extra", name) for name in services.required_materials(enterprise_city)},
        )
        if state == "payment_rejected":
            services.payment_reject(actor=p, order_id=pk, reason="转账凭证金额与发票自付部分不一致。")
        if state in ("payment_submitted", "payment_rejected"):
            continue
        services.payment_confirm(actor=p, order_id=pk)
        if state == "payment_confirmed":
            continue
        refund = services.refund_request(actor=p, order_id=pk, reason="企业因故取消培训，双方协商退回。")
        if state == "refunded" and unit_user is not None:
            services.refund_approve(actor=unit_user, refund_id=refund.pk)
    return [("orders", "ent_gz2 / prov_gz1", f"{len(STATES)} demo orders, one in each state")]
