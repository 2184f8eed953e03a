# ruff: noqa: S603, S607  (a local tool: runs createdb/dropdb and itself with arguments it builds)
"""Lists benchmark (issue 16): every list page and list endpoint, for the role that sees it, at a small and a
large volume, in one run.

    .venv/bin/python bench/lists.py                        # 1,000 and 100,000 orders
    .venv/bin/python bench/lists.py --large 1000000 -r 30  # the province's year (about 5 minutes to generate)
    .venv/bin/python bench/lists.py --small-url postgres://…/smev_1k --large-url postgres://…/smev_1m --large 1000000
        # two databases generated once (manage.py generate_volume, then integrity_scan), timed without regenerating

Needs PostgreSQL (default postgres://postgres@127.0.0.1:5432, trust auth; BENCH_PG to change it). Without URLs it
creates two fresh databases, migrates them and runs `generate_volume --orders N --notifications N --batch-claims
N/10` in each (so at 1M orders: 1M notifications for one enterprise user and 100k claims in one batch), checks the
ledger (`verify_ledger`), runs the nightly `integrity_scan` (the risk flags) and vacuums; they are dropped at the end
unless --keep.

Each size is served by a process of its own (Django's test client, in-process: no network), and the two are asked
in turn, request by request: a drift of the machine's speed (another process, the CPU's clock) then falls on both
sizes alike, where timing one size after the other put it into the ratio (two runs of the same size a minute
apart differed by 25 %). Each list is requested R times per size: first page, last page (`page=last`), a status
filter and a search where the list offers them.

It prints p50/p95 per list and size, the ratio p95(large)/p95(small) (target ≤ 1.5), the p50 time spent in SQL
and the rows the page shows at each size (a page with more rows at the large size renders longer: the SQL time
shows what grew). Not a test: pytest does not collect it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000, help="orders at the small size (default 1000)")
    parser.add_argument("--large", type=int, default=100_000, help="orders at the large size (default 100000)")
    parser.add_argument("-r", "--repeat", type=int, default=20, help="requests per list and size (default 20)")
    parser.add_argument("--small-url", help="time the data already in this database as the small size")
    parser.add_argument("--large-url", help="time the data already in this database as the large size")
    parser.add_argument("--keep", action="store_true", help="keep the fresh databases")
    parser.add_argument("--only", help="time only the lists whose name contains this text (or one of, comma-separated)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # a child: the database it times (see serve())
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)  # with --serve: generate this many first
    args = parser.parse_args()
    if args.serve:
        return serve(args)
    if not 10 <= args.small <= args.large <= 5_000_000 or not 5 <= args.repeat <= 1000:
        parser.error("need 10 <= small <= large <= 5000000 and 5 <= repeat <= 1000")
    if bool(args.small_url) != bool(args.large_url):
        parser.error("give both --small-url and --large-url, or neither")

    fresh = [] if args.small_url else [f"smev_bench_lists_{size}_{os.getpid()}" for size in ("small", "large")]
    for db in fresh:
        subprocess.run(["createdb", "--maintenance-db", f"{PG}/postgres", db], check=True)
    urls = [args.small_url, args.large_url] if args.small_url else [f"{PG}/{db}" for db in fresh]
    try:
        results = run(args, urls, generate=[args.small, args.large] if fresh else [None, None])
    finally:
        for db in [] if args.keep else fresh:
            subprocess.run(["dropdb", "--maintenance-db", f"{PG}/postgres", db], check=False)
    report(results, args)
    return 0


def run(args, urls: list[str], generate: list) -> dict:
    """Starts one child per size, then asks them in turn for each request; returns {size: {list: samples}}."""
    children = []
    for url, size in zip(urls, generate, strict=True):
        command = [sys.executable, __file__, "--serve", url, *(["--only", args.only] if args.only else [])]
        command += ["--generate", str(size)] if size else []
        children.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    try:
        shown = [json.loads(child.stdout.readline()) for child in children]  # each says so once it is ready
        names = [list(rows) for rows in shown]
        assert names[0] == names[1], names
        timings = [{name: [] for name in names[0]} for _child in children]
        for round_ in range(args.repeat):  # round-robin over the lists; the two sizes in turn, alternating first
            for name in names[0]:
                for index in (0, 1) if round_ % 2 == 0 else (1, 0):
                    children[index].stdin.write(name + "\n")
                    children[index].stdin.flush()
                    timings[index][name].append(json.loads(children[index].stdout.readline()))
    finally:
        for child in children:
            child.stdin.close()
            child.wait()
    return {args.small: timings[0], args.large: timings[1], "rows": shown}


def serve(args) -> int:
    """A child: set up Django on one database (generating the data first if asked), warm every list up, say the
    lists' names on stdout, then time one request per name read from stdin: [total ms, SQL ms]."""
    os.environ.update(
        {
            "DATABASE_URL": args.serve,
            "DEBUG": "0",
            "LOG_LEVEL": "ERROR",
            "ALLOWED_HOSTS": "testserver",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "smevoucher.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)  # tasks in-process; nothing queued elsewhere
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    call_command("migrate", verbosity=0)
    if args.generate:
        generate(args.generate)
    only = [part for part in (args.only or "").split(",") if part]
    lists = {k: v for k, v in requests_for().items() if not only or any(part in k for part in only)}
    # Warm-up, rendering instrumented (as in tests) to read how many rows each page shows; timed without it.
    setup_test_environment()
    rows = {}
    for name, (client, path) in lists.items():
        response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        rows[name] = rows_shown(response)
    teardown_test_environment()
    print(json.dumps(rows), flush=True)
    for line in sys.stdin:
        client, path = lists[line.strip()]
        in_sql = [0.0]
        with connection.execute_wrapper(partial(timed, in_sql)):
            started = time.perf_counter()
            client.get(path)
            total = time.perf_counter() - started
        print(json.dumps([total * 1000, in_sql[0] * 1000]), flush=True)
    return 0


def rows_shown(response) -> int | None:
    """The rows on the page: an endpoint's `results`, a page's `page` (the audit trail's `rows`); None for a page
    without a list of rows (the wallet)."""
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    context = response.context or {}
    if context.get("page") is not None:
        return len(context["page"].object_list)
    return len(context["rows"]) if context.get("rows") is not None else None


def generate(size: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command(
        "generate_volume", orders=size, notifications=size, batch_claims=size // 10, stdout=open(os.devnull, "w")
    )
    generated = time.monotonic() - started
    started = time.monotonic()
    call_command("verify_ledger", stdout=open(os.devnull, "w"))
    verified = time.monotonic() - started
    started = time.monotonic()
    # The nightly integrity scan, for the risk flag list: the generated enterprises order 5 times from one provider,
    # so it flags 9 in 10 of them as split orders (180,000 flags at 1M orders).
    call_command("integrity_scan", stdout=open(os.devnull, "w"))
    print(
        f"{size:>9,} orders: generated in {generated:.1f} s, verify_ledger {verified:.1f} s, "
        f"integrity_scan {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    # After a bulk load PostgreSQL's autovacuum would otherwise work through the new rows during the timings.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def requests_for() -> dict:
    """(client, path) per list: each role's own lists, first and last page, a filter and a search."""
    from django.test import Client

    from smevoucher.accounts.factories import city_unit_user, login_verified, province_user
    from smevoucher.accounts.models import User
    from smevoucher.catalogue.models import Product
    from smevoucher.providers.factories import provider_user_of
    from smevoucher.vouchers.models import Batch

    def client_of(user):
        client = Client()
        login_verified(client, user)
        return client

    enterprise = client_of(User.objects.get(username="volume-enterprise"))
    provider = client_of(provider_user_of(Product.objects.filter(status="published").order_by("pk").first().provider))
    # Fresh users with names of their own (a reused database already has the factories' user0, user1, …).
    tag = f"bench-{os.getpid()}"
    city = client_of(city_unit_user("440100", username=f"{tag}-city"))
    province = client_of(province_user(username=f"{tag}-province"))
    shenzhen = client_of(city_unit_user("440300", username=f"{tag}-city-sz"))
    big = Batch.objects.filter(city__code="440100").order_by("-pk").first()  # the batch with the many claims
    lists = {
        "enterprise orders page": (enterprise, "/orders/"),
        "enterprise orders api": (enterprise, "/api/v1/orders/"),
        "enterprise orders api last": (enterprise, "/api/v1/orders/?page=last"),
        "enterprise notifications page": (enterprise, "/notifications/"),
        "enterprise notifications last": (enterprise, "/notifications/?page=last"),
        "enterprise notifications unread": (enterprise, "/notifications/?status=unread"),
        "enterprise notifications search": (enterprise, "/notifications/?q=D00000077"),
        "enterprise notifications api": (enterprise, "/api/v1/notifications/"),
        "enterprise notifications api last": (enterprise, "/api/v1/notifications/?page=last"),
        "enterprise catalogue page": (enterprise, "/catalogue/"),
        "enterprise wallet page": (enterprise, "/vouchers/wallet/"),
        "provider orders page": (provider, "/orders/"),
        "provider orders last": (provider, "/orders/?page=last"),
        "provider orders status": (provider, "/orders/?status=placed"),
        "provider orders search": (provider, "/orders/?q=生成企业77"),
        "provider orders search one": (provider, "/orders/?q=生成企业77号"),
        "provider orders api": (provider, "/api/v1/orders/"),
        "provider orders api last": (provider, "/api/v1/orders/?page=last"),
        "provider redemptions page": (provider, "/redemption/"),
        "provider documents page": (provider, "/documents/"),
        "provider products page": (provider, "/products/"),
        "city orders page": (city, "/orders/"),
        "city orders last": (city, "/orders/?page=last"),
        "city orders status": (city, "/orders/?status=payment_submitted"),
        "city orders search": (city, "/orders/?q=D00000077"),
        "city orders api": (city, "/api/v1/orders/"),
        "city orders api last": (city, "/api/v1/orders/?page=last"),
        "city refunds page": (city, "/orders/refunds/"),
        "city refunds api": (city, "/api/v1/refund-requests/"),
        "city redemptions page": (city, "/redemption/"),
        "city redemptions api": (city, "/api/v1/redemptions/"),
        "city enterprises page": (city, "/enterprises/"),
        "city enterprises last": (city, "/enterprises/?page=last"),
        "city enterprises search": (city, "/enterprises/?q=生成企业77"),
        "city enterprises search one": (city, "/enterprises/?q=生成企业77号"),
        "city enterprises api": (city, "/api/v1/enterprises/"),
        "city batch claims page": (city, f"/vouchers/batches/{big.pk}/"),
        "city batch claims last": (city, f"/vouchers/batches/{big.pk}/?page=last"),
        "city batch claims api": (city, f"/api/v1/batches/{big.pk}/claims/"),
        "city batch claims api last": (city, f"/api/v1/batches/{big.pk}/claims/?page=last"),
        "province providers page": (province, "/providers/"),
        "province providers api": (province, "/api/v1/providers/"),
        "province products api": (province, "/api/v1/products/"),
        "province notices page": (province, "/notices/manage/"),
        "province notices api": (province, "/api/v1/notices/"),
        "province audit page": (province, "/reports/audit/"),
        "province audit api": (province, "/api/v1/audit/"),
        "provider receipts page": (provider, "/orders/receipts/"),
        "provider receipts last": (provider, "/orders/receipts/?page=last"),
        "provider redemptions api": (provider, "/api/v1/redemptions/"),
        "city refunds waiting": (city, "/orders/refunds/?status=requested"),
        "city enterprises pending": (city, "/enterprises/?status=pending"),
        "city orders api status": (city, "/api/v1/orders/?status=payment_submitted"),
        "province orders page": (province, "/orders/"),
        "province orders last": (province, "/orders/?page=last"),
        "province orders search": (province, "/orders/?q=生成企业77"),
        # "… one": one enterprise by its full name, the same rows at any size; 生成企业77 finds 1 enterprise among
        # 200 and 1,111 among 200,000, so its page holds 5 orders at the small size and 50 (of 5,555) at the large.
        "province orders search one": (province, "/orders/?q=生成企业77号"),
        # Matches a tenth of the enterprises: a full page at both sizes.
        "province orders broad search": (province, "/orders/?q=生成企业7"),
        "province audit filter": (province, "/reports/audit/?action=order.placed"),
        # A city unit's trail: its own staff's actions and the events of what it may see (its city's orders). Not
        # Guangzhou's: the generator places every order as Guangzhou's unit, so its staff's own actions fill a page.
        "city audit page": (shenzhen, "/reports/audit/"),
        "city audit api": (shenzhen, "/api/v1/audit/"),
        "city audit filter": (shenzhen, "/reports/audit/?action=order.placed"),
        "province flags page": (province, "/integrity/"),
        "province flags last": (province, "/integrity/?page=last"),
        "province flags open": (province, "/integrity/?status=open"),
        "province flags search": (province, "/integrity/?q=生成企业77"),
        "province flags search one": (province, "/integrity/?q=生成企业77号"),
        "province flags api": (province, "/api/v1/risk-flags/"),
        "city flags page": (shenzhen, "/integrity/"),
        "city flags api": (shenzhen, "/api/v1/risk-flags/?status=open"),
    }
    return lists


def timed(total: list, execute, sql, params, many, context):
    """A connection.execute_wrapper adding each query's time to total[0]."""
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        total[0] += time.perf_counter() - started


def report(results: dict, args) -> None:
    """Per list: p50/p95 of the whole request, p50 of the time in SQL and the rows the page shows at each size. A
    list whose page holds fewer rows at the small size (a search that finds 5 orders among 1,000) renders fewer rows
    there: the rows and the SQL times tell the two costs apart."""

    def whole(samples):
        return [sample[0] for sample in samples]

    def sql(samples):
        return statistics.median(sample[1] for sample in samples)

    def rows(name):  # rows on the page, small / large
        return "/".join("-" if shown[name] is None else str(shown[name]) for shown in results["rows"])

    print()
    small, large = results[args.small], results[args.large]
    print(
        f"{'list':<36} {'p50 small':>10} {'p95 small':>10} {'p50 large':>10} {'p95 large':>10} "
        f"{'ratio p50':>10} {'ratio p95':>10} {'sql small':>10} {'sql large':>10} {'rows':>9}"
    )
    worst = worst_same_rows = 0.0
    for name, samples in small.items():
        big = large[name]
        ratio = percentile(whole(big), 0.95) / percentile(whole(samples), 0.95)
        worst = max(worst, ratio)
        if results["rows"][0][name] == results["rows"][1][name]:
            worst_same_rows = max(worst_same_rows, ratio)
        print(
            f"{name:<36} {statistics.median(whole(samples)):>8.1f}ms {percentile(whole(samples), 0.95):>8.1f}ms "
            f"{statistics.median(whole(big)):>8.1f}ms {percentile(whole(big), 0.95):>8.1f}ms "
            f"{statistics.median(whole(big)) / statistics.median(whole(samples)):>10.2f} {ratio:>10.2f} "
            f"{sql(samples):>8.1f}ms {sql(big):>8.1f}ms {rows(name):>9}"
        )
    verdict = "meets" if worst <= 1.5 else "MISSES"
    load = os.getloadavg()[0]
    print(f"\nload average at the end: {load:.1f} on {os.cpu_count()} CPUs (wall-clock, in-process, sizes in turn).")
    print(f"small = {args.small:,} orders, large = {args.large:,} orders, {args.repeat} requests each.")
    print(f"worst p95 ratio {worst:.2f}: {verdict} the target (≤ 1.5).")
    print(f"worst p95 ratio of the lists showing as many rows at both sizes: {worst_same_rows:.2f}.")


if __name__ == "__main__":
    sys.exit(main())
