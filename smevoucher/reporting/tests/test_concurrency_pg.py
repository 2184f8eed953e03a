"""Two refreshes of the figures at the same moment (the beat job and a unit's button) both succeed, on real
concurrent PostgreSQL connections, and the snapshot still reconciles with the ledger."""

import threading

import pytest
from django.db import connection

from smevoucher.accounts.factories import city_unit_user
from smevoucher.reporting import selectors
from smevoucher.reporting.models import ProviderFigures

from .factories import scheme_flow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_refreshes_both_succeed_and_reconcile():
    flow = scheme_flow(expire=False)
    selectors.figures_refresh()
    barrier, errors = threading.Barrier(4), []

    def refresh():
        try:
            barrier.wait(timeout=10)
            for _i in range(3):
                selectors.figures_refresh()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert ProviderFigures.objects.filter(batch=flow.world.batch).count() == 1
    scope = selectors.scope_for(city_unit_user(), batch_id=flow.world.batch.pk)
    stages = selectors.summary(scope)["stages"]
    parts = ("pool", "wallets", "ordered", "received", "redeemed", "reclaimed")
    assert sum(stages[k]["fen"] for k in parts) == stages["issued"]["fen"] == flow.world.batch.total_fen
