"""Test helpers: confirmed payments of one provider in one city, and applications in each state, all through the
services."""

from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.documents.services import document_upload
from smevoucher.orders import factories as orders
from smevoucher.orders.models import Order

from . import services


def confirmed_payments(w: orders.World, count: int = 2, *, expected_fen: int = 1_000_00) -> list:
    """`count` orders of the world's enterprise with the world's provider, each with a confirmed payment."""
    payments = []
    for i in range(count):
        order = orders.place(w, expected_fen=expected_fen + i * 500_00, tier=i % 3)
        order = orders.advance(w, order, Order.Status.PAYMENT_CONFIRMED, invoice_number=f"NO{i + 1:08d}")
        payments.append(order.payments.get(status="confirmed"))
    return payments


def scan(user, kind: str, name: str):
    return document_upload(actor=user, kind=kind, files=[(f"{name}.pdf", pdf_bytes(name))])


def attach_scans(w: orders.World, application, materials=()):
    p = w.provider_user
    return services.application_attach(
        actor=p,
        application_id=application.pk,
        application_form_id=scan(p, "application_form", "申请表盖章").pk,
        summary_table_id=scan(p, "summary_table", "汇总表盖章").pk,
        materials={name: scan(p, "city_extra", name).pk for name in materials},
    )


def draft(w: orders.World, payments):
    return services.application_create(
        actor=w.provider_user, city_id=w.batch.city_id, payment_ids=[p.pk for p in payments]
    )


def submitted(w: orders.World, payments):
    application = draft(w, payments)
    attach_scans(w, application)
    return services.application_submit(actor=w.provider_user, application_id=application.pk)
