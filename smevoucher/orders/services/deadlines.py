"""Order deadlines (R9, R10): reclaim one order's vouchers, and the sweep over every order past its deadline."""

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smevoucher.core import audit, clock
from smevoucher.notices.services import notify_rows
from smevoucher.vouchers import services as vouchers
from smevoucher.vouchers.models import Batch, LedgerAccount

from ..models import Order
from ._common import S, _end, _tell_enterprise, _tell_provider


@transaction.atomic
def order_reclaim(*, order_id: int) -> Order | None:
    """R9: an order still without an accepted contract after its deadline is cancelled and its escrow reclaimed;
    R10: an unpaid order past the validity end likewise. Returns None when the order has moved on (safe twice)."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("batch", "enterprise__organisation", "provider__organisation")
        .get(pk=order_id)
    )
    now = clock.now()
    expired = now > order.batch.expires_at
    if order.status in Order.WITHOUT_CONTRACT and now > order.contract_due:
        # Past the validity end R10 decides, also when the contract deadline fell on the same day (contract_due is
        # never after the validity end, and both end at 23:59:59 of their day): the vouchers are reclaimed for good
        # and keep counting against the annual quota; R9 alone returns them to the pool and gives the quota back.
        rule = vouchers.R10 if expired else vouchers.R9
    elif expired and (order.status in Order.UNPAID or order.status == S.PAYMENT_REJECTED):
        rule = vouchers.R10
    else:
        return None
    _end(order, S.RECLAIMED, None, f"order.reclaimed_{rule}", rule=rule)
    body = _("The vouchers of order %(number)s were reclaimed.") % {"number": order.number}
    _tell_enterprise(order, "order.reclaimed", body)
    _tell_provider(order, "order.reclaimed", body)
    return order


def _rule(status: str, contract_due, now, expired: bool) -> str | None:
    """`order_reclaim`'s choice of rule for an order in this state (None: not due)."""
    if status in Order.WITHOUT_CONTRACT and now > contract_due:
        return vouchers.R10 if expired else vouchers.R9
    if expired and (status in Order.UNPAID or status == S.PAYMENT_REJECTED):
        return vouchers.R10
    return None


ORDER_CHUNK = 500  # orders per database transaction in the sweep: short locks, bounded memory

# The recipients of the "reclaimed" notices: every active user of each order's enterprise, then of its provider
# (as `_tell_enterprise` then `_tell_provider` make them), from arrays of the orders and their texts.
RECLAIMED_NOTICES = """
SELECT u.id AS user_id, x.title, '' AS body, x.url, CAST(x.order_id AS TEXT) AS object_id
  FROM unnest(CAST(%s AS BIGINT[]), CAST(%s AS TEXT[]), CAST(%s AS TEXT[]), CAST(%s AS BIGINT[]),
              CAST(%s AS BIGINT[])) WITH ORDINALITY AS x(order_id, title, url, enterprise_org, provider_org, n)
  JOIN accounts_user u ON u.is_active AND u.organisation_id IN (x.enterprise_org, x.provider_org)
 ORDER BY x.n, u.organisation_id = x.provider_org, u.id
"""
RECLAIMED_EVENTS = """
SELECT x.object_id, CAST(%s AS TEXT) AS status, x.before_status
  FROM unnest(CAST(%s AS BIGINT[]), CAST(%s AS TEXT[])) WITH ORDINALITY AS x(object_id, before_status, n)
 ORDER BY x.n
"""


@transaction.atomic
def orders_reclaim(*, batch_id: int, order_ids: list[int]) -> int:
    """`order_reclaim` for many orders of one batch in one database transaction (the sweep), with exactly its
    results: the orders locked (ascending id), then the batch, the claims and the accounts as `escrow_reclaim`
    locks them; each order past its deadline ends as reclaimed with its escrow reclaimed (a ledger transaction and
    audit row each), its cap reservation given back, its audit row and the notices to both sides. Written
    set-based; an order that `order_reclaim` would refuse goes through it, so it refuses it the same way. Returns
    how many orders were reclaimed."""
    now = clock.now()
    batch = Batch.objects.get(pk=batch_id)
    expired = now > batch.expires_at
    rows = (
        Order.objects.select_for_update(of=("self",))
        .filter(pk__in=order_ids, batch_id=batch_id)
        .order_by("pk")
        .values_list(
            "pk", "status", "contract_due", "reserved_fen", "enterprise__organisation_id", "provider__organisation_id"
        )
    )
    due = [row for row in rows if _rule(row[1], row[2], now, expired) is not None]
    if not due:
        return 0
    rule = vouchers.R10 if expired else vouchers.R9  # the one rule of every due order of the batch now
    submitted = set()
    if rule == vouchers.R10:  # an escrow whose payment was submitted in time: escrow_reclaim refuses it
        submitted = set(
            LedgerAccount.objects.filter(
                batch_id=batch_id,
                kind=LedgerAccount.Kind.ESCROW,
                order_id__in=[row[0] for row in due],
                payment_submitted_at__lte=batch.expires_at,
            ).values_list("order_id", flat=True)
        )
    odd = [
        row
        for row in due
        if not Order(status=row[1]).may_become(S.RECLAIMED)
        or row[0] in submitted
        or (rule == vouchers.R9 and now <= batch.contract_deadline)
    ]
    # Through the one-order path, which refuses them with its error (or, for an order without escrow, ends it).
    done = sum(order_reclaim(order_id=row[0]) is not None for row in odd)
    due = [row for row in due if row not in odd]
    if not due:
        return done
    ids = [row[0] for row in due]
    vouchers.escrows_reclaim(batch_id=batch_id, order_ids=ids, rule=rule)
    reserved: dict[int, int] = {}
    for _pk, _s, _d, fen, _e, provider in due:
        reserved[provider] = reserved.get(provider, 0) + fen
    vouchers.caps_release(batch=batch, reserved=reserved)
    Order.objects.filter(pk__in=ids).update(
        status=S.RECLAIMED, reserved_fen=0, closed_at=now, updated_at=timezone.now()
    )
    audit.record_select(
        None,
        f"order.reclaimed_{rule}",
        Order,
        RECLAIMED_EVENTS,
        [S.RECLAIMED, ids, [row[1] for row in due]],
        after=("status",),
        before=("status",),
    )
    text = _("The vouchers of order %(number)s were reclaimed.")
    notify_rows(
        (
            RECLAIMED_NOTICES,
            [
                ids,
                [text % {"number": Order(pk=pk).number} for pk in ids],
                [reverse("orders:detail", args=[pk]) for pk in ids],
                [row[4] for row in due],
                [row[5] for row in due],
            ],
        ),
        event="order.reclaimed",
        object_type=Order._meta.label_lower,
    )
    return done + len(ids)


def order_deadline_sweep(*, limit: int | None = None) -> int:
    """Apply R9/R10 to every order past its deadline, up to ORDER_CHUNK orders of one batch per transaction
    (`orders_reclaim`, set-based, the same results as `order_reclaim` per order). Safe to run twice. vouchers'
    reclaim_sweep runs it first (registered in OrdersConfig.ready), so one sweep applies every deadline."""
    now = clock.now()
    due = Order.objects.filter(status__in=Order.WITHOUT_CONTRACT, contract_due__lt=now) | Order.objects.filter(
        status__in=[*Order.UNPAID, S.PAYMENT_REJECTED], batch__validity_end__lt=now.date()
    )
    if connection.vendor != "postgresql":  # the set-based statements are PostgreSQL's: one order at a time
        ids = due.values_list("pk", flat=True).order_by("pk")[:limit]
        return sum(order_reclaim(order_id=order_id) is not None for order_id in ids)
    done, left = 0, limit
    for batch_id in sorted(set(due.order_by().values_list("batch_id", flat=True).distinct())):
        after = 0
        while left is None or left > 0:
            size = ORDER_CHUNK if left is None else min(ORDER_CHUNK, left)
            chunk = list(due.filter(batch_id=batch_id, pk__gt=after).order_by("pk").values_list("pk", flat=True)[:size])
            if not chunk:
                break
            done += orders_reclaim(batch_id=batch_id, order_ids=chunk)
            after = chunk[-1]
            left = None if left is None else left - len(chunk)
    return done
