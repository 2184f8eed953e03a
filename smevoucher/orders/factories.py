"""Test helpers: an allocated batch, a published product and orders in every state, all through the services."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

from smevoucher.accounts.factories import city_unit_user
from smevoucher.catalogue.factories import pdf_bytes, published_product
from smevoucher.core import clock
from smevoucher.documents.services import document_upload
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.providers import services as provider_services
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.providers.models import Provider
from smevoucher.providers.selectors import letter_is_current
from smevoucher.vouchers import services as voucher_services
from smevoucher.vouchers.factories import approved_enterprise, batch_terms

from . import services
from .models import Order


@contextmanager
def at(moment: datetime):
    with mock.patch.object(clock, "now", return_value=moment):
        yield


def allocated_batch(holders, *, city_code: str = "440100", total_fen: int = 100_000_00, unit=None, **overrides):
    """A batch whose claim window ended an hour ago, allocated: each (enterprise, fen) holds a wallet."""
    unit = unit or city_unit_user(city_code)
    now = clock.now()
    start = now - timedelta(hours=7)
    terms = batch_terms(start=start, total_fen=total_fen, **overrides)
    with at(start - timedelta(days=1)):
        batch = voucher_services.batch_create(actor=unit, **terms)
        voucher_services.batch_open(actor=unit, batch_id=batch.pk)
    for minute, (enterprise, fen) in enumerate(holders, start=1):
        with at(start + timedelta(minutes=minute)):
            voucher_services.claim_submit(actor=enterprise_user(enterprise), batch_id=batch.pk, amount_fen=fen)
    with at(batch.claim_end + timedelta(minutes=1)):
        voucher_services.batch_allocate(actor=unit, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


@dataclass
class World:
    batch: object
    enterprise: object
    enterprise_user: object
    provider: object
    provider_user: object
    product: object
    unit: object

    @property
    def revision(self):
        return self.product.published_revision

    def tier(self, index: int = 0):
        return self.revision.tiers.order_by("position", "pk")[index]


def world(*, total_fen: int = 100_000_00, wallet_fen: int = 20_000_00, level: str = "provincial") -> World:
    """A Guangzhou enterprise holding wallet_fen of an allocated batch and a provider with a published product
    (tiers ¥3,000 / ¥5,800 / ¥8,800) serving Guangzhou. The provider's cap is a tenth of total_fen."""
    provider = approved_provider(level=level)
    product = published_product(provider)
    enterprise = approved_enterprise()
    batch = allocated_batch([(enterprise, wallet_fen)], total_fen=total_fen)
    return World(
        batch=batch,
        enterprise=enterprise,
        enterprise_user=enterprise_user(enterprise),
        provider=provider,
        provider_user=provider_user_of(provider),
        product=product,
        unit=city_unit_user(),
    )


def renew_letter(w: World) -> None:
    """R3 each year: the provider uploads its commitment letter dated in the current year, if it must."""
    provider = Provider.objects.get(pk=w.provider.pk)
    if not letter_is_current(provider):
        provider_services.letter_renewal_submit(
            actor=w.provider_user,
            provider_id=provider.pk,
            commitment_date=clock.today(),
            letter_files=[("承诺书.pdf", pdf_bytes("承诺书"))],
        )


def material(user, kind: str, name: str = "材料"):
    return document_upload(actor=user, kind=kind, files=[(f"{name}.pdf", pdf_bytes(name))])


def place(w: World, *, expected_fen: int = 1_000_00, tier: int = 0, user=None) -> Order:
    return services.order_place(
        actor=user or w.enterprise_user,
        revision_id=w.revision.pk,
        tier_id=w.tier(tier).pk,
        batch_id=w.batch.pk,
        expected_voucher_fen=expected_fen,
    )


def payment_data(w: World, order: Order, *, voucher_fen: int | None = None, invoice_number: str = "NO12345678"):
    voucher = order.expected_voucher_fen if voucher_fen is None else voucher_fen
    return {
        "invoice_number": invoice_number,
        "invoice_date": clock.today(),
        "invoice_fen": order.price_fen,
        "own_share_fen": order.price_fen - voucher,
        "voucher_fen": voucher,
        "invoice_id": material(w.enterprise_user, "invoice", "发票").pk,
        "transfer_proof_id": material(w.enterprise_user, "transfer_proof", "转账凭证").pk,
    }


STEPS = [
    Order.Status.CONFIRMED,
    Order.Status.CONTRACT_UPLOADED,
    Order.Status.CONTRACT_CONFIRMED,
    Order.Status.COMPLETED,
    Order.Status.PAYMENT_SUBMITTED,
    Order.Status.PAYMENT_CONFIRMED,
]


def advance(w: World, order: Order, to: str, **payment) -> Order:
    """Take an order along the main path up to `to` through the services."""
    S = Order.Status
    e, p = w.enterprise_user, w.provider_user
    current = {S.CONTRACT_RETURNED: S.CONFIRMED, S.PAYMENT_REJECTED: S.COMPLETED}.get(order.status, order.status)
    for step in STEPS[STEPS.index(current) + 1 if current in STEPS else 0 :]:
        if step == S.CONFIRMED:
            services.order_confirm(actor=p, order_id=order.pk)
        elif step == S.CONTRACT_UPLOADED:
            services.contract_upload(actor=e, order_id=order.pk, document_id=material(e, "contract", "合同").pk)
        elif step == S.CONTRACT_CONFIRMED:
            services.contract_confirm(actor=p, order_id=order.pk)
        elif step == S.COMPLETED:
            services.order_complete(actor=p, order_id=order.pk, completed_on=clock.today())
        elif step == S.PAYMENT_SUBMITTED:
            order.refresh_from_db()
            services.payment_submit(actor=e, order_id=order.pk, **payment_data(w, order, **payment))
        elif step == S.PAYMENT_CONFIRMED:
            services.payment_confirm(actor=p, order_id=order.pk)
        if step == to:
            break
    order.refresh_from_db()
    return order
