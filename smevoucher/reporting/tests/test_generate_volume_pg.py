"""`manage.py generate_volume` (the benchmarks' data, issue 16) loads rows the services would have written: a
consistent ledger, orders that carry their batch's city and their parties' names, and their placements in an intact
audit trail."""

import pytest
from django.core.management import call_command
from django.db.models import F

from smevoucher.core import audit
from smevoucher.core.models import AuditEvent
from smevoucher.orders.models import Order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_generated_volume_is_consistent():
    call_command(
        "generate_volume", orders=150, cities=3, notifications=5, batch_claims=4, stdout=open("/dev/null", "w")
    )
    call_command("verify_ledger", stdout=open("/dev/null", "w"))  # raises on any inconsistency

    orders = Order.objects.filter(product_name="生成服务产品")
    assert orders.count() == 150
    assert orders.exclude(city_id=F("batch__city_id")).count() == 0
    assert orders.exclude(enterprise_name=F("enterprise__organisation__name")).count() == 0
    assert orders.exclude(provider_name=F("provider__organisation__name")).count() == 0

    placed = AuditEvent.objects.filter(action="order.placed", object_type="orders.order")
    order_ids = sorted(str(pk) for pk in orders.values_list("pk", flat=True))
    assert sorted(placed.values_list("object_id", flat=True)) == order_ids
    assert audit.verify_chain() == [] and not AuditEvent.objects.filter(seal_seq__isnull=True).exists()
