"""The dashboard's figures reconcile exactly with the ledger, and each unit sees only its remit."""

import pytest
from django.db.models import Sum
from django.http import Http404

from smevoucher.accounts.factories import city_unit_user, province_user
from smevoucher.orders import services as order_services
from smevoucher.orders.models import Order
from smevoucher.reporting import selectors
from smevoucher.reporting.models import BatchFigures
from smevoucher.vouchers.models import LedgerAccount, LedgerEntry
from smevoucher.vouchers.selectors import ledger_problems

from .factories import scheme_flow

pytestmark = pytest.mark.django_db


def ledger_balances(batch) -> dict[str, int]:
    """Per account kind: opening + the sum of its entries, as verify_ledger computes them (the truth)."""
    opening = dict(
        LedgerAccount.objects.filter(batch=batch).values("kind").annotate(s=Sum("opening_fen")).values_list("kind", "s")
    )
    moved = dict(
        LedgerEntry.objects.filter(account__batch=batch)
        .values("account__kind")
        .annotate(s=Sum("amount_fen"))
        .values_list("account__kind", "s")
    )
    return {kind: opening.get(kind, 0) + moved.get(kind, 0) for kind in LedgerAccount.Kind.values}


@pytest.fixture
def flow():
    return scheme_flow()


def test_the_funnel_stages_equal_the_ledger_account_balances(flow):
    batch = flow.world.batch
    assert ledger_problems() == []
    scope = selectors.scope_for(city_unit_user(), batch_id=batch.pk)
    stages = selectors.summary(scope)["stages"]
    truth = ledger_balances(batch)
    for kind, stage in selectors.KIND_STAGE.items():
        assert stages[stage]["fen"] == truth[kind], stage
    assert stages["issued"]["fen"] == batch.total_fen == sum(truth.values())
    assert stages["allocated"]["fen"] == batch.total_fen - truth["pool"]
    # every stage of the flow was reached, so a wrong mapping cannot hide behind zeros
    assert all(stages[s]["fen"] > 0 for s in ("ordered", "received", "redeemed", "reclaimed", "pool", "wallets"))


def test_the_funnel_counts_follow_the_flow(flow):
    scope = selectors.scope_for(city_unit_user(), batch_id=flow.world.batch.pk)
    stages = selectors.summary(scope)["stages"]
    assert stages["claimed"] == {"fen": 30_000_00, "count": 3}
    assert stages["allocated"]["count"] == 3
    assert stages["redeemed"] == {"fen": 1_000_00, "count": 1}
    assert stages["received"] == {"fen": 1_100_00, "count": 1}  # the short-paid order
    assert stages["ordered"] == {"fen": 900_00, "count": 1}
    assert stages["reclaimed"] == {"fen": 4_000_00, "count": 1}
    assert flow.refunded.status == Order.Status.REFUNDED


def test_a_stale_snapshot_is_recomputed_on_demand_and_then_reconciles(flow):
    batch = flow.world.batch
    scope = selectors.scope_for(city_unit_user(), batch_id=batch.pk)
    selectors.summary(scope)  # computes the snapshot
    order_services.order_cancel(actor=flow.world.enterprise_user, order_id=flow.in_escrow.pk)
    assert selectors.summary(scope)["stages"]["ordered"]["fen"] == 900_00  # as of the snapshot
    selectors.figures_refresh_for(scope)
    stages = selectors.summary(scope)["stages"]
    assert stages["ordered"]["fen"] == 0 == ledger_balances(batch)["escrow"]
    assert stages["wallets"]["fen"] == ledger_balances(batch)["wallet"]


def test_expected_and_actual_receipts_per_provider(flow):
    scope = selectors.scope_for(city_unit_user(), batch_id=flow.world.batch.pk)
    receipts = selectors.receipts_by_provider(scope)
    # paid orders still with the provider (the redeemed one's payment stays confirmed; the refunded one is not)
    assert receipts["totals"] == {
        "orders": 2,
        "expected_fen": 2_500_00,
        "actual_fen": 2_100_00,
        "difference_fen": 400_00,
    }
    assert receipts["rows"][0]["provider_id"] == flow.world.provider.pk


def test_cap_usage_is_sorted_by_share_and_marks_those_above_80_percent(flow):
    from smevoucher.vouchers.models import CapUsage

    scope = selectors.scope_for(city_unit_user())
    usage = selectors.cap_usage(scope)
    row = usage["rows"][0]
    cap = CapUsage.objects.get(provider=flow.world.provider.organisation)
    assert row["cap_fen"] == 10_000_00 and row["received_fen"] == cap.received_fen
    assert row["reserved_fen"] == cap.reserved_fen == 900_00
    assert row["share_bp"] == (cap.received_fen + cap.reserved_fen) * 10000 // 10_000_00
    assert row["near_cap"] is False and usage["near_cap"] == 0
    CapUsage.objects.filter(pk=cap.pk).update(reserved_fen=6_000_00)  # with ¥2,100 received: 81 %
    usage = selectors.cap_usage(scope)
    assert usage["rows"][0]["near_cap"] is True and usage["near_cap"] == 1


def test_claims_over_time_and_breakdowns(flow):
    batch = flow.world.batch
    scope = selectors.scope_for(city_unit_user(), batch_id=batch.pk)
    over_time = selectors.claims_over_time(scope)
    assert sum(m["claims"] for m in over_time["per_minute"]) == 3
    assert sum(d["claims"] for d in over_time["per_day"]) == 3
    assert over_time["opening_day"] == over_time["per_day"][0]["day"]
    merged = selectors.breakdowns(scope)
    assert sum(n for n, _fen in merged["by_size"].values()) == 3
    assert merged["by_tag"]["zjtx"][0] == 1 and merged["by_tag"][""][0] == 2
    assert merged["by_category"]["training"][0] == 4


def test_deadline_risks(flow):
    scope = selectors.scope_for(city_unit_user(), batch_id=flow.world.batch.pk)
    risk = selectors.risk(scope)
    assert risk["redemptions_waiting"] == {"count": 0, "fen": 0}  # approved already
    assert risk["payments_waiting"]["count"] == 0
    assert set(risk) == {"expiring", "contracts_due", "payments_waiting", "redemptions_waiting"}


def test_a_city_unit_never_sees_another_citys_figures():
    gz = scheme_flow(expire=False)
    sz = scheme_flow(city_code="440300", expire=False)
    unit = city_unit_user("440100")
    scope = selectors.scope_for(unit)
    assert scope.batch_ids == [gz.world.batch.pk]
    assert selectors.summary(scope)["stages"]["issued"]["fen"] == gz.world.batch.total_fen
    with pytest.raises(Http404):
        selectors.scope_for(unit, city_id=sz.world.batch.city_id)
    with pytest.raises(Http404):
        selectors.scope_for(unit, batch_id=sz.world.batch.pk)
    assert all(r["provider_id"] != sz.world.provider.organisation_id for r in selectors.cap_usage(scope)["rows"])


def test_the_province_sees_every_city_with_a_per_city_table():
    gz = scheme_flow(expire=False)
    sz = scheme_flow(city_code="440300", expire=False)
    scope = selectors.scope_for(province_user())
    figures = selectors.summary(scope)
    assert {e["city"].code for e in figures["per_city"]} == {"440100", "440300"}
    assert figures["stages"]["issued"]["fen"] == gz.world.batch.total_fen + sz.world.batch.total_fen
    only_sz = selectors.summary(selectors.scope_for(province_user(), city_id=sz.world.batch.city_id))
    assert only_sz["stages"]["issued"]["fen"] == sz.world.batch.total_fen


def test_the_refresh_covers_every_batch_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    scheme_flow(expire=False)
    scheme_flow(city_code="440300", expire=False)
    with django_assert_max_num_queries(20):
        assert selectors.figures_refresh() == 2
    assert BatchFigures.objects.count() == 2


def test_deadline_risks_count_what_falls_due_within_7_days():
    from datetime import timedelta

    from smevoucher.orders.factories import at

    flow = scheme_flow(expire=False)
    batch = flow.world.batch
    scope = selectors.scope_for(city_unit_user(), batch_id=batch.pk)
    held = LedgerAccount.objects.filter(batch=batch, kind__in=["wallet", "escrow"], balance_fen__gt=0)
    with at(batch.expires_at - timedelta(days=3)):
        selectors.figures_refresh()
    risk = selectors.risk(scope)
    assert risk["expiring"]["fen"] == sum(a.balance_fen for a in held) > 0
    assert risk["expiring"]["count"] == held.count()
    with at(flow.in_escrow.contract_due - timedelta(days=3)):
        selectors.figures_refresh()
    assert selectors.risk(scope)["contracts_due"] == {"fen": 900_00, "count": 1}
    with at(flow.in_escrow.contract_due - timedelta(days=8)):
        selectors.figures_refresh()
    assert selectors.risk(scope)["contracts_due"] == {"fen": 0, "count": 0}
