"""/healthz, /readyz and /metrics: what they check, and who may read the metrics."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.migrations.recorder import MigrationRecorder

from smevoucher.ops import checks

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json() == {"Alive()": "OK"}


def test_readyz_checks_the_primary_migrations_cache_and_storage(client):
    response = client.get("/readyz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert set(response.json()) == {
        "Database(alias='default')",
        "Migrations()",
        "Cache(alias='default')",
        "Storage(alias='default')",
    }
    assert set(response.json().values()) == {"OK"}


@pytest.mark.django_db(transaction=True)  # the probe runs in a thread of its own: the change must be committed
def test_readyz_fails_while_a_migration_is_unapplied(client, monkeypatch):
    monkeypatch.setattr(checks, "_migrations_applied", False)
    newest = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    newest.delete()
    try:
        # A thread of its own: transactional tests run after the browser tests, whose event loop is still running
        # in this thread, and the test client cannot call the async health view from inside a running loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            response = pool.submit(client.get, "/readyz", HTTP_ACCEPT="application/json").result()
    finally:
        MigrationRecorder.Migration.objects.create(app=newest.app, name=newest.name)
    assert response.status_code == 500
    assert response.json()["Migrations()"] == "Unavailable: 1 unapplied migration(s)"


def test_readyz_adds_replica_lag_and_redis_when_configured(settings):
    settings.READ_REPLICA_ENABLED = True
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    names = [c if isinstance(c, str | type) else c[0] for c in checks.readiness_checks()]
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        assert checks.ReplicaLag in names
    assert "health_check.contrib.redis.Redis" in names


def test_metrics_answer_a_configured_address_with_view_database_and_business_figures(client):
    from smevoucher.vouchers.factories import approved_enterprise, claim, open_batch

    claim(approved_enterprise(), open_batch(), 100_00)
    client.get("/catalogue/")
    body = client.get("/metrics").content.decode()
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in body
    assert 'view="catalogue:catalogue"' in body
    assert "django_db_execute_total" in body
    assert 'smev_claims{status="waiting"} 1.0' in body
    assert "smev_audit_unsealed_events" in body


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.9"},  # not a configured address
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},  # came through the public proxy
        {"REMOTE_ADDR": "not-an-address"},
    ],
)
def test_metrics_are_refused_to_everyone_else(client, extra):
    assert client.get("/metrics", **extra).status_code == 404


def test_metrics_allow_a_configured_network(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
