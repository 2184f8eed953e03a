# ruff: noqa: S608  (a local tool: SQL built from integers and table names it controls)
"""Workbench benchmark (issue 13): the cost of every role's to-do cards at a province's volume.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/workbench_counts.py
    ... --enterprises 200000 --orders 1000000

Migrates the database, loads the demo (every role), then adds the volume once: N enterprises spread over the
cities (2 % pending review) and M orders in every state, almost all with one provider (prov_nat1) and a few hundred
with prov_gz1, spread over the added enterprises. Then, for each demo role, it computes the cards as the page does
and prints the number of queries, the median time and, from EXPLAIN, whether any card query reads a large table
from end to end (a sequential scan of enterprises, organisations or orders). Not a test: pytest does not
collect it. Use a database of your own: it is filled, not dropped.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smevoucher.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from smevoucher.accounts.models import City, Organisation, User  # noqa: E402
from smevoucher.enterprises.models import Enterprise  # noqa: E402
from smevoucher.orders.models import Order  # noqa: E402
from smevoucher.workbench.cards import cards_for  # noqa: E402

LARGE = ("enterprises_enterprise", "accounts_organisation", "orders_order")  # what this bench fills
ROLES = ["ent_gz2", "prov_gz1", "unit_guangzhou", "unit_province"]


def add_enterprises(n: int) -> None:
    have = Enterprise.objects.count()
    if have >= n:
        return
    cities = list(City.objects.values_list("pk", flat=True))
    batch = 5000
    for start in range(have, n, batch):
        size = min(batch, n - start)
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    kind="enterprise", name=f"基准测试企业{start + i}", city_id=cities[(start + i) % len(cities)]
                )
                for i in range(size)
            ]
        )
        Enterprise.objects.bulk_create(
            [
                Enterprise(
                    organisation=org,
                    uscc=f"BENCH{start + i:013d}",
                    city_id=org.city_id,
                    size="small",
                    industry="C",
                    legal_representative="基准",
                    contact_name="基准",
                    contact_phone="0",
                    contact_email="bench@example.test",
                    status="pending" if (start + i) % 50 == 0 else "approved",
                )
                for i, org in enumerate(organisations)
            ]
        )


def add_orders(m: int) -> None:
    have = Order.objects.count()
    if have >= m:
        return
    template = Order.objects.order_by("pk").first()
    big = User.objects.get(username="prov_nat1").organisation.provider.pk
    small = User.objects.get(username="prov_gz1").organisation.provider.pk
    low = Enterprise.objects.filter(uscc__startswith="BENCH").order_by("pk").values_list("pk", flat=True).first()
    high = Enterprise.objects.filter(uscc__startswith="BENCH").order_by("-pk").values_list("pk", flat=True).first()
    statuses = "ARRAY[" + ",".join(f"'{s}'" for s in Order.Status.values) + "]"
    fields = [
        f.column
        for f in Order._meta.concrete_fields
        if f.column not in ("id", "enterprise_id", "provider_id", "status", "placed_at", "updated_at")
        and not f.generated  # the database computes it
    ]
    columns = ", ".join(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO orders_order ({columns}, enterprise_id, provider_id, status, placed_at, updated_at)
            SELECT {", ".join("t." + c for c in fields)},
                   {low} + (g %% ({high} - {low} + 1)),
                   CASE WHEN g %% 2000 = 0 THEN {small} ELSE {big} END,
                   ({statuses})[1 + g %% {len(Order.Status.values)}],
                   now() - (g || ' seconds')::interval, now()
            FROM orders_order t, generate_series(1, %s) g WHERE t.id = %s
            """,
            [m - have, template.pk],
        )


def large_scans(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return [table for table in LARGE if re.search(rf"Seq Scan on {table}(\s|$)", plan, re.MULTILINE)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of your own.")
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="unit_province").exists():
        call_command("seed_demo", verbosity=0)
    started = time.perf_counter()
    add_enterprises(args.enterprises)
    add_orders(args.orders)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"volume: {Enterprise.objects.count()} enterprises, {Order.objects.count()} orders "
        f"(added in {time.perf_counter() - started:.0f} s)"
    )
    print(f"{'role':<16}{'queries':>8}{'median ms':>11}  large tables read end to end")
    for username in ROLES:
        user = User.objects.select_related("organisation").get(username=username)
        timings = []
        for _run in range(args.runs):
            user = User.objects.select_related("organisation").get(username=username)
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                cards_for(user)
                timings.append((time.perf_counter() - t0) * 1000)
        scans = set()
        for query in captured.captured_queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                scans.update(large_scans(query["sql"], None))
        print(f"{username:<16}{len(captured):>8}{statistics.median(timings):>11.1f}  {', '.join(sorted(scans)) or '-'}")


if __name__ == "__main__":
    main()
