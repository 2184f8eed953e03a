"""Set-wise reads the rules share: one query each for the orders in scope, with the columns a rule needs."""

from smevoucher.orders.models import Order

# Orders that never became a service (declined, cancelled, reclaimed) are no case to decide.
DEAD = (Order.Status.DECLINED, Order.Status.CANCELLED, Order.Status.RECLAIMED)


def live_orders(scope):
    queryset = Order.objects.exclude(status__in=DEAD)
    return scope.orders(queryset) if scope is not None else queryset


def order_link(order_id: int) -> dict:
    return {"type": "order", "id": order_id}


def provider_link(provider_id: int) -> dict:
    return {"type": "provider", "id": provider_id}


def enterprise_link(enterprise_id: int) -> dict:
    return {"type": "enterprise", "id": enterprise_id}


def mask(value: str, keep: int = 4) -> str:
    """Show only the end of an account or telephone number in evidence."""
    value = value or ""
    return ("*" * max(0, len(value) - keep) + value[-keep:]) if len(value) > keep else value
