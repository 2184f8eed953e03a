"""The providers' receipt totals (issue 16, `ReceiptTotal`): counted in the transaction of each payment confirmation
and refund approval, and recomputed set-based after a bulk load."""

from django.db import connection

from ..models import Order, ReceiptTotal

_TABLE = ReceiptTotal._meta.db_table


def receipt_total_add(order: Order, *, sign: int, actual_fen: int) -> None:
    """Count the order in (+1) or out (-1) of its provider's paid orders of its batch, adding to the row in one
    statement (an upsert at the first payment), so concurrent confirmations never lose an update."""
    values = [sign, sign * order.expected_voucher_fen, sign * actual_fen]
    with connection.cursor() as cursor:
        if sign > 0:
            cursor.execute(
                f"INSERT INTO {_TABLE} (orders, expected_fen, actual_fen, provider_id, batch_id) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (provider_id, batch_id) DO UPDATE SET "
                f"orders = {_TABLE}.orders + EXCLUDED.orders, "
                f"expected_fen = {_TABLE}.expected_fen + EXCLUDED.expected_fen, "
                f"actual_fen = {_TABLE}.actual_fen + EXCLUDED.actual_fen",
                [*values, order.provider_id, order.batch_id],
            )
        else:  # the row exists: the order was counted in when paid (a negative row may not even be proposed)
            cursor.execute(
                f"UPDATE {_TABLE} SET orders = orders + %s, expected_fen = expected_fen + %s, "  # noqa: S608
                "actual_fen = actual_fen + %s WHERE provider_id = %s AND batch_id = %s",
                [*values, order.provider_id, order.batch_id],
            )


def receipt_totals_rebuild() -> None:
    """Recompute every row from the orders (after orders were written outside the services, e.g. generated)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {_TABLE} (provider_id, batch_id, orders, expected_fen, actual_fen) "  # noqa: S608
            "SELECT provider_id, batch_id, COUNT(*), SUM(expected_voucher_fen), SUM(voucher_fen) "
            f"FROM {Order._meta.db_table} WHERE status = %s GROUP BY provider_id, batch_id",
            [Order.Status.PAYMENT_CONFIRMED],
        )
