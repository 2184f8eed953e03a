"""Reads that may come from the read replica (REPLICA_DATABASE_URL), and the router that keeps everything else
on the primary.

Nothing goes to the replica unless a view asks for it: reports, exports and heavy read-only lists opt in with
`@read_replica()` / `with read_replica():` (every read inside) or `using_replica(queryset)` (that queryset only).
Even then the primary answers every read made inside a transaction (`transaction.atomic`, i.e. every rule's
service: a rule never decides on data that may lag behind) and every read after a write in the same scope (a
user sees what they just did). Writes always go to the primary. Without REPLICA_DATABASE_URL both helpers do
nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


class _Scope:
    wrote = False


_scope: ContextVar[_Scope | None] = ContextVar("read_replica", default=None)


def enabled() -> bool:
    return bool(getattr(settings, "READ_REPLICA_ENABLED", False)) and REPLICA in connections


def _primary_in_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


@contextmanager
def read_replica():
    """Reads inside may come from the replica. Also a decorator for views and API methods: `@read_replica()`."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def using_replica(queryset):
    """This queryset reads from the replica (when one is configured and no transaction is open now)."""
    if enabled() and not _primary_in_transaction():
        return queryset.using(REPLICA)
    return queryset


class PrimaryReplicaRouter:
    """Writes, reads inside a transaction and reads after a write: the primary. Opted-in reads: the replica."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if scope is not None and not scope.wrote and enabled() and not _primary_in_transaction():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's WAL, schema included
