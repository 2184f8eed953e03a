"""The signals on a seeded year of the fast (bulk) simulation: every planted pattern is found, clean orders are left
alone, and a rerun neither duplicates nor reopens flags. The honest recall test, on a year lived through the
services, is test_simulation.py."""

import pytest

from smevoucher.core import identity
from smevoucher.integrity import services
from smevoucher.integrity.evaluation import evaluate
from smevoucher.integrity.models import RiskFlag
from smevoucher.integrity.signals.implausible_timing import stated_days
from smevoucher.integrity.simulation import KINDS, simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def truth():
    result = simulate(seed=3, enterprises=900, providers=30, fraud_share=0.25, bulk=True)
    services.scan()
    return result


def test_every_planted_kind_is_found_and_clean_orders_are_left_alone(truth):
    result = evaluate(truth)
    for kind in KINDS:
        assert result[kind]["cases"] > 0, kind
        assert result[kind]["recall"] >= 0.9, (kind, result[kind])
    assert result["overall"]["clean_flagged_share"] <= 0.05


def test_a_rerun_neither_duplicates_nor_reopens(truth, django_user_model):
    count = RiskFlag.objects.count()
    flag = RiskFlag.objects.filter(kind="related_party").first()
    RiskFlag.objects.filter(pk=flag.pk).update(
        status=RiskFlag.Status.CLEARED, decision_reason="已核实", decided_at=flag.found_at
    )
    report = services.scan()
    assert RiskFlag.objects.count() == count
    assert all(figures["new"] == 0 for figures in report.values())
    assert RiskFlag.objects.get(pk=flag.pk).status == RiskFlag.Status.CLEARED


def test_explanations_are_in_chinese_and_english(truth):
    flag = RiskFlag.objects.filter(kind="syndicate").first()
    assert "家企业" in flag.explanation or "企业" in flag.explanation
    assert "enterprises" in flag.explanation_en


def test_addresses_match_however_they_are_written():
    assert identity.address_key("广东省广州市天河区天河路１２号 301室") == identity.address_key("天河区天河路12号301室")
    assert identity.address_key("天河路12号301室") != identity.address_key("天河路12号302室")


def test_the_id_number_is_kept_only_as_a_keyed_hash():
    digest = identity.id_number_hash("440101199001011234")
    assert "1234" not in digest and len(digest) == 64
    assert digest == identity.id_number_hash(" 440101199001011234 ")


def test_a_stated_service_cycle_is_read_in_days():
    assert stated_days("30个工作日") == 42
    assert stated_days("3个月") == 90
    assert stated_days("视情况而定") is None
