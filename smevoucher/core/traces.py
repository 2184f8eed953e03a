"""Recording where a key action came from (issue 17). Called inside the action's service, so the trace commits
with the action; outside a request (jobs, the simulator's own calls) the address and agent are those set in
request_context, usually none, and nothing is recorded."""

from . import clock, identity, request_context
from .models import ActionTrace

LOG_IN, CLAIM, ORDER, CONFIRM, CONTRACT, COMPLETE, PAYMENT, RECEIPT = (
    "log_in",
    "claim",
    "order",
    "confirm",
    "contract",
    "complete",
    "payment",
    "receipt",
)


def record(actor, action: str, *, order_id: int | None = None) -> ActionTrace | None:
    ip, agent = request_context.client_ip(), request_context.user_agent()
    if not getattr(actor, "is_authenticated", False) or not (ip or agent):
        return None
    return ActionTrace.objects.create(
        at=clock.now(),
        user=actor,
        organisation_id=getattr(actor, "organisation_id", None),
        action=action,
        order_id=order_id,
        ip_address=ip,
        user_agent_hash=identity.user_agent_hash(agent),
    )


INSERT = (
    "INSERT INTO {table} (at, user_id, organisation_id, action, order_id, ip_address, user_agent_hash) "
    "VALUES (%s, %s, %s, %s, %s, CAST(%s AS INET), %s)"
)


def insert_sql(actor, action: str, *, order_id: int | None = None) -> tuple[str, list] | None:
    """The INSERT that `record` makes, as SQL for a hot path to run inside a statement of its own (PostgreSQL: a
    data-modifying CTE), so the action, its audit row and its trace take one round trip. None when `record` would
    record nothing."""
    ip, agent = request_context.client_ip(), request_context.user_agent()
    if not getattr(actor, "is_authenticated", False) or not (ip or agent):
        return None
    params = [
        clock.now(),
        actor.pk,
        getattr(actor, "organisation_id", None),
        action,
        order_id,
        ip,
        identity.user_agent_hash(agent),
    ]
    return INSERT.format(table=ActionTrace._meta.db_table), params
