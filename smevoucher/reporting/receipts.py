"""The provider's receipts (the manual's (五)2, "compare the actual voucher amount with the expected one"): per paid
order the expected and actual voucher amounts and their difference, totals per issuing city and batch, XLSX.

Read through the orders app's own scoping (`orders_visible_to`): a provider sees only the orders placed with it.
The totals come from the receipt totals the payment services keep per provider and batch (issue 16: adding up
every paid order took a third of a second at a province's volume; a test reconciles the two)."""

from decimal import Decimal

from django.db.models import F, QuerySet, Subquery
from django.utils.translation import gettext as _

from smevoucher.core.spreadsheets import write_only_book, xlsx_row
from smevoucher.orders.models import Order, ReceiptTotal
from smevoucher.orders.selectors import orders_visible_to
from smevoucher.providers.models import Provider

PAID = Order.Status.PAYMENT_CONFIRMED


def paid_orders_of(user) -> QuerySet[Order]:
    if not user.has_perm("reporting.view_receipts"):
        return Order.objects.none()
    return (
        orders_visible_to(user)
        .filter(status=PAID)
        .annotate(difference_fen=F("expected_voucher_fen") - F("voucher_fen"))
        .order_by("-payment_confirmed_at", "-pk")
    )


def totals_by_city_and_batch(user) -> list[dict]:
    """Per issuing city and batch: paid orders, expected and actual voucher amounts and their difference."""
    if not user.has_perm("reporting.view_receipts"):
        return []
    own = Provider.objects.filter(organisation_id=user.organisation_id).values("pk")
    rows = (
        ReceiptTotal.objects.filter(provider_id=Subquery(own), orders__gt=0)
        .values("batch__city__name", "batch_id", "batch__name", "orders", "expected_fen", "actual_fen")
        .annotate(difference_fen=F("expected_fen") - F("actual_fen"))
        .order_by("batch__city__name", "batch_id")
    )
    return list(rows)


def totals_of(user, groups: list[dict] | None = None) -> dict:
    """The sum of the groups (pass them when already read, to save the query)."""
    groups = totals_by_city_and_batch(user) if groups is None else groups
    expected, actual = sum(g["expected_fen"] for g in groups), sum(g["actual_fen"] for g in groups)
    return {
        "orders": sum(g["orders"] for g in groups),
        "expected_fen": expected,
        "actual_fen": actual,
        "difference_fen": expected - actual,
    }


def _yuan(fen) -> Decimal:
    return Decimal(fen or 0) / 100


def write_xlsx(user, stream) -> None:
    """Two sheets: every paid order (streamed, write-only), and the totals per issuing city and batch."""
    book = write_only_book()
    orders = book.create_sheet(_("Orders"))
    headers = [
        _("Order number"),
        _("Enterprise"),
        _("Product"),
        _("Issuing city"),
        _("Batch"),
        _("Vouchers received at"),
        _("Expected voucher amount"),
        _("Actual voucher amount"),
        _("Difference"),
    ]
    orders.append(xlsx_row(orders, headers))
    for o in paid_orders_of(user).iterator(chunk_size=2000):
        received = o.payment_confirmed_at.strftime("%Y-%m-%d %H:%M") if o.payment_confirmed_at else ""
        orders.append(
            xlsx_row(
                orders,
                [
                    o.number,
                    o.enterprise.organisation.name,
                    o.product_name,
                    o.batch.city.name,
                    o.batch.name,
                    received,
                    _yuan(o.expected_voucher_fen),
                    _yuan(o.voucher_fen),
                    _yuan(o.difference_fen),
                ],
            )
        )
    sums = book.create_sheet(_("Totals"))
    sums.append(
        xlsx_row(
            sums,
            [
                _("Issuing city"),
                _("Batch"),
                _("Paid orders"),
                _("Expected voucher amount"),
                _("Actual voucher amount"),
                _("Difference"),
            ],
        )
    )
    groups = totals_by_city_and_batch(user)
    for g in groups:
        sums.append(
            xlsx_row(
                sums,
                [
                    g["batch__city__name"],
                    g["batch__name"],
                    g["orders"],
                    _yuan(g["expected_fen"]),
                    _yuan(g["actual_fen"]),
                    _yuan(g["difference_fen"]),
                ],
            )
        )
    t = totals_of(user, groups)
    sums.append(
        xlsx_row(
            sums,
            [_("Total"), "", t["orders"], _yuan(t["expected_fen"]), _yuan(t["actual_fen"]), _yuan(t["difference_fen"])],
        )
    )
    book.save(stream)
