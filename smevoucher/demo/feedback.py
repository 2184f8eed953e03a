"""Demo ratings, a complaint and a sanction (issue 17), through the real services: ent_gz2 rates its received
orders and complains about one; the province has suspended prov_nat1 once before (reinstated) and again now."""

from datetime import timedelta

from smevoucher.accounts.models import Organisation, User
from smevoucher.core import clock
from smevoucher.feedback import services as feedback
from smevoucher.feedback.models import Rating
from smevoucher.orders.models import Order
from smevoucher.providers import services as providers
from smevoucher.providers.models import Provider, Suspension

# (order note, score, comment); the notes are those seed_orders gives its demo orders
RATINGS = [
    ("演示订单9", 5, "培训内容实用，讲师准备充分。"),
    ("演示订单10", 4, "整体满意，课件可以更早发送。"),
    ("演示订单11", 2, "培训临时改期两次，沟通不及时。"),
]
COMPLAINT = ("演示订单11", "培训两次临时改期，且实际课时少于合同约定的 16 课时。")


def seed_feedback() -> list[tuple[str, str, str]]:
    enterprise_user = User.objects.filter(username="ent_gz2").first()
    if enterprise_user is None or Rating.objects.exists():
        return []
    orders = {order.note: order for order in Order.objects.filter(note__in=[note for note, *_ in RATINGS])}
    for note, score, comment in RATINGS:
        if note in orders and orders[note].status in ("payment_confirmed", "refunded"):
            feedback.rating_submit(actor=enterprise_user, order_id=orders[note].pk, score=score, comment=comment)
    note, text = COMPLAINT
    if note in orders:
        feedback.complaint_file(actor=enterprise_user, order_id=orders[note].pk, text=text)
    return [("feedback", "ent_gz2 / unit_guangzhou", "3 ratings in the catalogue, 1 open complaint")]


def seed_sanctions() -> list[tuple[str, str, str]]:
    province_user = User.objects.filter(organisation__kind=Organisation.Kind.PROVINCE_UNIT).order_by("pk").first()
    provider = Provider.objects.filter(
        organisation__users__username="prov_nat1", status=Provider.Status.APPROVED
    ).first()
    if province_user is None or provider is None or Suspension.objects.filter(provider=provider).exists():
        return []
    today = clock.today()
    providers.provider_suspend(
        actor=province_user, provider_id=provider.pk, reason="承诺书超出有效期仍承接订单。", until=today
    )
    providers.provider_reinstate(actor=province_user, provider_id=provider.pk, reason="已补交当年承诺书。")
    providers.provider_suspend(
        actor=province_user,
        provider_id=provider.pk,
        reason="经核查，存在未实际提供服务即收取服务券的情形（违反承诺书第三条）。",
        until=today + timedelta(days=90),
    )
    return [("provider", "prov_nat1", "suspended for 90 days; violations record with an earlier suspension")]
