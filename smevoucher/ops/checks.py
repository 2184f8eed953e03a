"""Readiness checks for /readyz beyond django-health-check's own (database, cache, storage, Redis)."""

import dataclasses

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from smevoucher.core import replica


@dataclasses.dataclass
class Alive(HealthCheck):
    """/healthz: the process answers; nothing else is touched (a database outage must not restart app servers)."""

    def run(self):
        return None


_migrations_applied = False


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of this code is applied on the primary (an upgrade migrates before it restarts)."""

    def run(self):
        global _migrations_applied  # once applied, they stay applied for this process's code
        if _migrations_applied:
            return
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()  # a probe thread's own connection
        if pending:
            raise ServiceUnavailable(f"{len(pending)} unapplied migration(s)")
        _migrations_applied = True


LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


@dataclasses.dataclass
class ReplicaLag(HealthCheck):
    """The replica answers, is a standby, and has replayed the primary's WAL to within the allowed lag."""

    def run(self):
        connection = connections[replica.REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                in_recovery, lag = cursor.fetchone()
        except Exception as error:
            raise ServiceUnavailable("replica unreachable") from error
        finally:
            connection.close()
        if not in_recovery:
            raise ServiceUnavailable("the replica is not a standby (promoted?)")
        if lag > settings.READY_MAX_REPLICA_LAG_SECONDS:
            raise ServiceUnavailable(f"replica lags {lag:.0f} s behind the primary")


def readiness_checks() -> list:
    checks: list = [
        ("health_check.checks.Database", {"alias": DEFAULT_DB_ALIAS}),
        Migrations,
        "health_check.checks.Cache",
        "health_check.checks.Storage",
    ]
    if replica.enabled() and connections[replica.REPLICA].vendor == "postgresql":
        checks.append(ReplicaLag)
    if settings.REDIS_URL:
        from redis.asyncio import Redis

        redis = ("health_check.contrib.redis.Redis", {"client_factory": lambda: Redis.from_url(settings.REDIS_URL)})
        checks.append(redis)
    return checks
