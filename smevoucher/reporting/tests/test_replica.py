"""Reports are heavy reads: with a replica configured they come from it, never from the primary (issue 18)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user

from .factories import scheme_flow

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_the_report_api_reads_the_replica(settings):
    scheme_flow()
    client = APIClient()
    client.force_authenticate(city_unit_user())
    client.get("/api/v1/reports/summary/")  # the first view computes the snapshot (a write, on the primary)
    settings.READ_REPLICA_ENABLED = True
    with CaptureQueriesContext(connections["replica"]) as replica, CaptureQueriesContext(connections["default"]):
        for path in ("summary", "claims-over-time", "providers"):
            assert client.get(f"/api/v1/reports/{path}/").status_code == 200
    assert len(replica) > 0
    assert not [q for q in replica.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
