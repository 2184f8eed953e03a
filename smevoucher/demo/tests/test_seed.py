"""The demo data (`manage.py seed_demo`, `make run`): what each role finds, and that seeding again changes nothing.

The demo is seeded twice, once for the whole module (each test used to seed it twice itself), inside a transaction
rolled back after the last test; each test runs in its own savepoint within it."""

import pytest
from django.db import transaction
from django.test import override_settings

from smevoucher.accounts.models import User
from smevoucher.catalogue.models import Product
from smevoucher.catalogue.selectors import catalogue_for
from smevoucher.demo.seed import seed
from smevoucher.enterprises.models import Enterprise
from smevoucher.feedback.models import Complaint, Rating
from smevoucher.orders.models import Order, RefundRequest
from smevoucher.providers.models import Provider, Suspension
from smevoucher.providers.selectors import is_suspended
from smevoucher.redemption.models import Application
from smevoucher.reporting import dashboard
from smevoucher.reporting import selectors as reporting
from smevoucher.vouchers import selectors as vouchers
from smevoucher.vouchers.models import Batch, LedgerTransaction

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_seed")]


@pytest.fixture(scope="module", autouse=True)
def seeded_twice(django_db_setup, django_db_blocker):
    # The settings the project's per-test fixtures give (conftest.py), which a module's fixture runs before.
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], INTEGRITY_SCAN_ON_EVENT=False
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        seed()
        seed()  # the second run must find everything in place and add nothing
        yield
        transaction.set_rollback(True)


def test_the_ledger_of_the_demo_is_consistent():
    assert vouchers.ledger_problems() == []


def test_an_order_in_every_state_and_one_refund_waiting():
    states = set(Order.objects.values_list("status", flat=True))
    assert states == set(Order.Status.values) - {"reclaimed"}
    assert Order.objects.count() == 13
    assert RefundRequest.objects.filter(status="requested").count() == 1


def test_an_allocated_and_an_open_batch():
    assert sorted(Batch.objects.values_list("status", flat=True)) == ["allocated", "open"]
    assert LedgerTransaction.objects.filter(kind="allocation").count() == 1
    priority = Enterprise.objects.get(organisation__users__username="ent_gz1")
    [wallet] = [w for w in vouchers.wallets_of(priority) if w.batch.status == "allocated"]
    assert (wallet.state, wallet.usable_fen) == ("usable", 500_000)


def test_one_submitted_redemption_application_with_its_scans():
    application = Application.objects.get()
    assert application.status == "submitted" and application.total_fen == 250_00
    assert application.application_scan_id and application.summary_scan_id
    assert application.scans_are_current and application.form_version == 2  # the first scans kept as version 1
    assert application.form_versions.get(number=1).application_scan_id


def test_products_published_in_review_and_returned():
    states = {
        p.revisions.get().name: (p.status, p.revisions.get().state)
        for p in Product.objects.prefetch_related("revisions")
    }
    assert states == {
        "中小企业数字化转型实务培训": ("published", "approved"),
        "企业数字化水平诊断咨询": ("published", "approved"),
        "商标注册代理服务": ("unpublished", "submitted"),
        "小微企业日常财税代理服务": ("unpublished", "returned"),
    }
    training = Product.objects.get(published_revision__name="中小企业数字化转型实务培训")
    assert training.published_revision.tiers.count() == 3 and training.published_revision.material_sets.count() == 3
    shenzhen = User.objects.get(username="ent_sz1")
    guangzhou = User.objects.get(username="ent_gz1")
    assert set(catalogue_for(shenzhen).values_list("published_revision__name", flat=True)) == {"企业数字化水平诊断咨询"}
    assert catalogue_for(guangzhou).count() == 2


def test_ratings_a_complaint_and_a_suspended_provider_once():
    assert Rating.objects.count() == 3 and Complaint.objects.filter(status="open").count() == 1
    rated = Product.objects.get(rating_count__gt=0)
    assert (rated.rating_count, rated.rating_total) == (3, 11)
    provider = Provider.objects.get(organisation__users__username="prov_nat1")
    assert is_suspended(provider)
    assert Suspension.objects.filter(provider=provider).count() == 2


@pytest.mark.parametrize("username", ["unit_guangzhou", "unit_province"])
def test_every_chart_of_the_dashboard_has_something_to_show(username):
    user = User.objects.get(username=username)
    batch = reporting.scope_for(user).batches[0]
    for scope in (reporting.scope_for(user), reporting.scope_for(user, batch_id=batch.pk)):
        _summary, tables = dashboard.dashboard_tables(scope)
        charts = {t.key: t.chart for t in tables if t.chart}
        assert {
            "funnel",
            "where_now",
            "claims_per_day",
            "by_size",
            "by_industry",
            "by_tag",
            "by_category",
            "cap_usage",
            "risk",
            "receipts",
        } <= set(charts)
        for key, chart in charts.items():
            assert any(v for s in chart["series"] for v in s["values"]), key
