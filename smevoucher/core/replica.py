"""Reads that may come from the read replica (REPLICA_DATABASE_URL), and the router that keeps everything else
on the primary.

Nothing goes to the replica unless a view asks for it: reports, exports and heavy read-only lists opt in with
`@read_replica` / `with read_replica():` (every read inside, outside a transaction) or `using_replica(queryset)`
(that queryset only). Writes always go to the primary, and so does every read made inside a transaction
(`transaction.atomic`, i.e. every rule's service): a rule never decides on data that may lag behind. Without
REPLICA_DATABASE_URL both helpers do nothing.
"""

from contextlib import ContextDecorator
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_wanted: ContextVar[bool] = ContextVar("read_replica", default=False)


def enabled() -> bool:
    return bool(getattr(settings, "READ_REPLICA_ENABLED", False)) and REPLICA in connections


def _primary_in_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class read_replica(ContextDecorator):  # lower case: used like a function, @read_replica() / with read_replica()
    """Reads inside go to the replica while no transaction is open on the primary."""

    def __enter__(self):
        self._token = _wanted.set(True)
        return self

    def __exit__(self, *exc):
        _wanted.reset(self._token)
        return False


def using_replica(queryset):
    """This queryset reads from the replica (when one is configured and no transaction is open)."""
    if enabled() and not _primary_in_transaction():
        return queryset.using(REPLICA)
    return queryset


class PrimaryReplicaRouter:
    """Writes and reads inside a transaction: the primary. Opted-in reads outside one: the replica."""

    def db_for_read(self, model, **hints):
        if _wanted.get() and enabled() and not _primary_in_transaction():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's WAL, schema included
