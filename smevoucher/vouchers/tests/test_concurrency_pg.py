"""Real concurrent connections on PostgreSQL (R6, DESIGN §4): the claim rush loses and duplicates nothing, the
annual quota and the batch total hold, and parallel allocations or sweeps apply once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum

from smevoucher.accounts.factories import city, city_unit_user
from smevoucher.accounts.models import Organisation, User
from smevoucher.enterprises.factories import make_uscc
from smevoucher.enterprises.models import Enterprise
from smevoucher.vouchers import selectors, services
from smevoucher.vouchers.errors import QuotaExceeded
from smevoucher.vouchers.factories import open_batch
from smevoucher.vouchers.models import Claim, LedgerAccount, LedgerTransaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 40  # below PostgreSQL's 100 connections; every task still starts at the same barrier


def approved_enterprises(count: int, city_code: str = "440100") -> list[User]:
    """Many approved enterprises quickly (the rush is what is under test, not sign-up)."""
    where = city(city_code)
    orgs = Organisation.objects.bulk_create(
        Organisation(kind=Organisation.Kind.ENTERPRISE, name=f"并发企业{i}有限公司", city=where) for i in range(count)
    )
    Enterprise.objects.bulk_create(
        Enterprise(
            organisation=org,
            uscc=make_uscc(city_code),
            city=where,
            size="small",
            industry="C",
            legal_representative="王",
            contact_name="李",
            contact_phone="1",
            contact_email="a@example.test",
            status=Enterprise.Status.APPROVED,
        )
        for org in orgs
    )
    return User.objects.bulk_create(User(username=f"rush{org.pk}", organisation=org) for org in orgs)


def run_together(calls) -> list:
    """Run every call on its own pooled connection, released together; return results or raised errors."""
    barrier = threading.Barrier(min(WORKERS, len(calls)))
    lock = threading.Lock()
    started = [0]

    def run(call):
        try:
            with lock:
                started[0] += 1
                wait = started[0] <= WORKERS
            if wait:
                barrier.wait(timeout=30)
            return call()
        except Exception as exc:  # collected for the assertions
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, calls))


def test_500_simultaneous_claims_lose_none_and_duplicate_none():
    batch = open_batch(total_fen=100_000_00)
    users = approved_enterprises(500)
    # every enterprise submits twice at once (a double click): 1,000 requests
    calls = [
        (lambda user=user: services.claim_submit(actor=user, batch_id=batch.pk, amount_fen=1000_00)) for user in users
    ] * 2
    results = run_together(calls)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert Claim.objects.filter(batch=batch).count() == 500
    assert sum(1 for _claim, created in results if created) == 500  # each retry found the first claim
    per_user = {}
    for user, (claim, _created) in zip(users * 2, results, strict=True):
        per_user.setdefault(user.pk, set()).add(claim.pk)
    assert all(len(ids) == 1 for ids in per_user.values())


def test_one_enterprise_claiming_in_many_batches_at_once_cannot_pass_its_annual_quota():
    [user] = approved_enterprises(1)
    batches = [open_batch(name=f"第{i}批") for i in range(10)]
    calls = [(lambda b=b: services.claim_submit(actor=user, batch_id=b.pk, amount_fen=1_500_000)) for b in batches]
    results = run_together(calls)
    assert sum(1 for r in results if isinstance(r, tuple)) == 1
    assert all(isinstance(r, QuotaExceeded) for r in results if not isinstance(r, tuple))
    assert Claim.objects.aggregate(s=Sum("quota_fen"))["s"] == 1_500_000


def test_concurrent_allocations_apply_once_and_never_exceed_the_total():
    batch = open_batch(total_fen=150_000_00)
    users = approved_enterprises(200)
    for user in users:
        services.claim_submit(actor=user, batch_id=batch.pk, amount_fen=1000_00)
    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        results = run_together([lambda: services.batch_allocate(actor=None, batch_id=batch.pk)] * 6)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert LedgerTransaction.objects.filter(batch=batch, kind="allocation").count() == 1
    allocated = Claim.objects.filter(batch=batch).aggregate(s=Sum("allocated_fen"))["s"]
    assert allocated == 150_000_00
    assert LedgerAccount.objects.get(batch=batch, kind="pool").balance_fen == 0
    assert selectors.ledger_problems() == []


def test_concurrent_sweeps_do_not_double_apply():
    batch = open_batch(total_fen=30_000_00)
    users = approved_enterprises(40)
    for user in users:
        services.claim_submit(actor=user, batch_id=batch.pk, amount_fen=1000_00)
    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        services.batch_allocate(actor=None, batch_id=batch.pk)
    batch.refresh_from_db()
    with time_machine.travel(batch.order_deadline + timedelta(seconds=1), tick=False):
        results = run_together([services.reclaim_sweep] * 4)
    assert not [r for r in results if isinstance(r, BaseException)]
    # 30 wallets were reclaimed once each; 10 waiting claims were backfilled from the pool
    assert LedgerTransaction.objects.filter(batch=batch, kind="reclaim_r8").count() == 30
    assert sum(r["fen"] for r in results) == 30_000_00
    assert Claim.objects.filter(batch=batch, allocated_fen__gt=0).count() == 40
    assert selectors.ledger_problems() == []


def test_concurrent_earmarks_never_overdraw_a_wallet():
    batch = open_batch(total_fen=1000_00)
    [user] = approved_enterprises(1)
    services.claim_submit(actor=user, batch_id=batch.pk, amount_fen=1000_00)
    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        services.batch_allocate(actor=city_unit_user(), batch_id=batch.pk)
    enterprise_id = Enterprise.objects.get(organisation=user.organisation).pk
    calls = [
        (
            lambda n=n: services.wallet_earmark(
                actor=None, batch_id=batch.pk, enterprise_id=enterprise_id, order_id=n, amount_fen=100_00
            )
        )
        for n in range(25)
    ]
    results = run_together(calls)
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 10
    assert LedgerAccount.objects.get(batch=batch, kind="wallet").balance_fen == 0
    assert selectors.ledger_problems() == []
