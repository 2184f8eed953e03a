"""Demo redemption (issue 9): the Yuexiu station bundles its confirmed payment (the one without a refund request)
of the Guangzhou batch into one submitted application, through the real services."""

from smevoucher.orders.models import Order
from smevoucher.redemption import selectors, services
from smevoucher.redemption.models import Application

from .orders import _doc


def seed_redemption() -> list[tuple[str, str, str]]:
    if Application.objects.exists():
        return []
    order = (
        Order.objects.filter(status=Order.Status.PAYMENT_CONFIRMED, refund_requests__isnull=True)
        .select_related("provider__organisation", "batch")
        .order_by("pk")
        .first()
    )
    if order is None:
        return []
    p = order.provider.organisation.users.order_by("pk").first()
    payments = selectors.redeemable_payments(provider=order.provider, city_id=order.batch.city_id)
    payments = payments.filter(order__refund_requests__isnull=True)
    # The station stamped the forms of an empty draft first, then added its payments: the first stamped scans are
    # set aside as version 1 and the forms it submits are version 2 (issue 15), both visible on the detail page.
    application = services.application_create(actor=p, city_id=order.batch.city_id)
    _attach_scans(p, application, "（盖章，第1版）")
    services.application_add_payments(
        actor=p, application_id=application.pk, payment_ids=list(payments.values_list("pk", flat=True))
    )
    _attach_scans(p, application, "（盖章）")
    services.application_attach(
        actor=p,
        application_id=application.pk,
        materials={name: _doc(p, "city_extra", name) for name in selectors.required_materials(order.batch.city_id)},
    )
    services.application_submit(actor=p, application_id=application.pk)
    return [("provider", p.username, f"redemption application {application.number} submitted to the Guangzhou unit")]


def _attach_scans(p, application, suffix: str) -> None:
    services.application_attach(
        actor=p,
        application_id=application.pk,
        application_form_id=_doc(p, "application_form", f"服务券兑现申请表{suffix}"),
        summary_table_id=_doc(p, "summary_table", f"服务券使用情况明细汇总表{suffix}"),
    )
