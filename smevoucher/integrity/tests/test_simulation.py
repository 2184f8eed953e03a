"""The services-driven simulation (issue 17, "Measured, not assumed"): a small seeded year lived through the real
services, with cases planted by behaving fraudulently. Every planted kind is found by the full scan, clean orders are
left alone, the ledger and the audit chain are intact afterwards, and `simulate_scheme` writes the ground truth."""

import io
import json

import pytest
from django.core.management import call_command

from smevoucher.core.audit import verify_chain
from smevoucher.core.models import ActionTrace
from smevoucher.integrity import services
from smevoucher.integrity.evaluation import evaluate
from smevoucher.integrity.simulation import KINDS
from smevoucher.orders.models import Order
from smevoucher.redemption.models import Application
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_year_through_the_services_finds_every_planted_kind(tmp_path):
    labels = tmp_path / "truth.json"
    call_command(
        "simulate_scheme",
        "--seed=5",
        "--enterprises=24",
        "--providers=4",
        "--fraud-share=0.3",
        f"--labels={labels}",
        stdout=(out := io.StringIO()),
    )
    assert "services:" in out.getvalue()
    truth = json.loads(labels.read_text(encoding="utf-8"))
    assert truth["mode"] == "services"
    orders = set(truth["orders"])
    assert truth["labels"] and all(int(order_id) in orders for order_id in truth["labels"])
    assert all(set(kinds) <= set(KINDS) for kinds in truth["labels"].values())

    # the year went through the services: the whole life of orders, traces, redemption
    statuses = set(Order.objects.filter(pk__in=orders).values_list("status", flat=True))
    assert Order.Status.PAYMENT_CONFIRMED in statuses
    assert ActionTrace.objects.filter(action="log_in").exists() and ActionTrace.objects.filter(action="order").exists()
    assert Application.objects.exists()
    assert ledger_problems() == []
    assert verify_chain() == []

    services.scan()
    result = evaluate(truth)
    for kind in KINDS:
        assert result[kind]["cases"] > 0, kind
        assert result[kind]["recall"] >= 0.9, (kind, result[kind])
    assert result["overall"]["clean_flagged_share"] <= 0.05, result["overall"]
