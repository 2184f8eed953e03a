# ruff: noqa: S603, S607, S608  (a local tool: runs createdb/psql/pgbench/gunicorn with arguments it builds)
"""Claim-rush benchmark (R6): the claim path against a bare DRF insert and against pgbench, in one run.

    .venv/bin/python bench/claim_rush.py            # N=2000 claims, 32 concurrent clients
    .venv/bin/python bench/claim_rush.py -n 5000 -c 64 --workers 4

Needs PostgreSQL (default postgres://postgres@127.0.0.1:5432, trust auth; set BENCH_PG to change it), Redis
(127.0.0.1:6379, database 13: the audit log's sealing task is queued there as in production, where a worker
seals it) and pgbench. It creates a fresh database, migrates it, makes N approved enterprises with API tokens
and three open batches, starts gunicorn on loopback with bench/settings_bench.py (the project plus one bare
insert view), then, each with the same N and concurrency:

1. claim: POST /api/v1/batches/<A>/claims/ per enterprise (the real service: eligibility, window, quota under
   the enterprise's row lock, unique constraint, audit);
2. bare:  POST /bench/bare-claim/<B>/ per enterprise (the same row, inserted with nothing else, same DRF stack);
3. pgbench: the same INSERT, N transactions, straight into PostgreSQL.

It prints requests/s, p50/p99 latency and lost/duplicated counts for each, and the ratios claim/bare and
claim/pgbench (target: claim ≥ 0.8 × bare). Everything stays on 127.0.0.1; every loop is bounded; the database
is dropped at the end (--keep to keep it). Not a test: pytest does not collect it.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
HOST = "127.0.0.1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="claims per path (default 2000)")
    parser.add_argument("-c", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rounds", type=int, default=4, help="interleaved claim/bare rounds (default 4)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if not 1 <= args.n <= 100_000 or not 1 <= args.c <= 256 or not 1 <= args.rounds <= 20:
        parser.error("n must be 1..100000, c 1..256 and rounds 1..20")

    db = f"smev_bench_{os.getpid()}"
    url = f"{PG}/{db}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "DB_CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
    }
    subprocess.run(["createdb", "--maintenance-db", f"{PG}/postgres", db], check=True)
    server = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        setup = json.loads(
            subprocess.run(
                [sys.executable, "-c", SETUP, str(args.n)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"{HOST}:{args.port}",
                "--log-level",
                "warning",
                "smevoucher.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_for_server(args.port)
        clients = setup["clients"]
        warm_up(args.port, clients[: min(len(clients), 64)], setup)

        paths = {
            "claim": lambda c: (f"/api/v1/batches/{setup['claim']}/claims/", {"amount_fen": 1000_00}),
            "bare DRF": lambda c: (
                f"/bench/bare-claim/{setup['bare']}/",
                {"enterprise_id": c["enterprise"], "amount_fen": 1000_00},
            ),
        }
        # Interleaved rounds (claim, bare, bare, claim, ...) so that a load change on a shared machine hits both.
        results = {name: {"wall": 0.0, "latencies": [], "statuses": {}, "ids": []} for name in paths}
        for round_no in range(args.rounds):
            chunk = clients[round_no :: args.rounds]
            for name in paths if round_no % 2 == 0 else reversed(paths):
                part = http_run(args.port, chunk, args.c, paths[name])
                total = results[name]
                total["wall"] += part["wall"]
                total["latencies"] += part["latencies"]
                total["ids"] += part["ids"]
                for code, count in part["statuses"].items():
                    total["statuses"][code] = total["statuses"].get(code, 0) + count
        results["pgbench"] = pgbench_run(url, setup, args.n, args.c)
        counts = json.loads(
            subprocess.run(
                [sys.executable, "-c", COUNT, json.dumps({k: setup[k] for k in ("claim", "bare", "pgbench")})],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        report(results, counts, args)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            subprocess.run(["dropdb", "--maintenance-db", f"{PG}/postgres", "--if-exists", db], check=False)
        subprocess.run(
            ["redis-cli", "-u", REDIS_URL, "DEL", "celery", "_kombu.binding.celery", "_kombu.binding_permanent.celery"],
            check=False,
            capture_output=True,
        )
    return 0


# Run in a child process with the bench's DATABASE_URL: N approved enterprises with tokens, three open batches.
SETUP = r"""
import json, sys
import django
django.setup()
from datetime import timedelta
from smevoucher.accounts.tokens import token_issue
from smevoucher.accounts.factories import city, city_unit_user
from smevoucher.accounts.models import Organisation, User
from smevoucher.core import clock
from smevoucher.enterprises.factories import make_uscc
from smevoucher.enterprises.models import Enterprise
from smevoucher.vouchers import services

n = int(sys.argv[1])
gz = city("440100")
orgs = Organisation.objects.bulk_create(
    Organisation(kind="enterprise", name=f"压测企业{i}有限公司", city=gz) for i in range(n)
)
ents = Enterprise.objects.bulk_create(
    Enterprise(organisation=o, uscc=make_uscc(), city=gz, size="small", industry="C", legal_representative="王",
               contact_name="李", contact_phone="1", contact_email="b@example.test", status="approved")
    for o in orgs
)
users = User.objects.bulk_create(User(username=f"bench{o.pk}", organisation=o) for o in orgs)
tokens = [token_issue(user=u, client="claim-rush bench")[1] for u in users]
unit = city_unit_user("440100")
start = clock.now() - timedelta(minutes=1)
def batch(name):
    b = services.batch_create(actor=unit, name=name, total_fen=n * 1000_00, claim_start=start,
                              claim_end=start + timedelta(hours=6), service_start=start.date(),
                              service_end=start.date() + timedelta(days=90),
                              validity_end=start.date() + timedelta(days=90))
    return services.batch_open(actor=unit, batch_id=b.pk).pk
print(json.dumps({
    "claim": batch("claim"), "bare": batch("bare"), "pgbench": batch("pgbench"), "warm": batch("warm"),
    "warm_bare": batch("warm_bare"),
    "unit_user": unit.pk, "year": start.year,
    "clients": [{"token": t, "enterprise": e.pk, "user": u.pk} for t, e, u in zip(tokens, ents, users)],
}))
"""

COUNT = r"""
import json, sys
import django
django.setup()
from django.db.models import Count
from smevoucher.vouchers.models import Claim
setup = json.loads(sys.argv[1])
out = {}
for key in ("claim", "bare", "pgbench"):
    rows = Claim.objects.filter(batch_id=setup[key])
    out[key] = {"rows": rows.count(), "distinct": rows.values("enterprise_id").distinct().count()}
print(json.dumps(out))
"""


def wait_for_server(port: int) -> None:
    for _ in range(100):  # at most ~20 s
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/schema/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def post(port: int, path: str, token: str, body: dict) -> tuple[int, float, dict]:
    data = json.dumps(body)
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("POST", path, data, {"Authorization": f"Token {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    try:
        parsed = json.loads(payload)
    except ValueError:
        parsed = {}
    return response.status, elapsed, parsed


def warm_up(port: int, clients: list, setup: dict) -> None:
    """Load every worker's code and database connection before measuring (batches of their own, not counted)."""
    claim_path, bare_path = f"/api/v1/batches/{setup['warm']}/claims/", f"/bench/bare-claim/{setup['warm_bare']}/"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda c: post(port, claim_path, c["token"], {"amount_fen": 1}), clients))
        list(
            pool.map(
                lambda c: post(port, bare_path, c["token"], {"enterprise_id": c["enterprise"], "amount_fen": 1}),
                clients,
            )
        )


def http_run(port: int, clients: list, concurrency: int, request_for) -> dict:
    """Every client posts once; all start together; returns throughput, latencies and status counts."""
    concurrency = min(concurrency, len(clients))
    barrier = threading.Barrier(concurrency)
    started = threading.Event()
    queue = iter(clients)
    lock = threading.Lock()
    latencies, statuses, ids = [], {}, []

    def worker():
        barrier.wait(timeout=60)
        started.set()
        while True:
            with lock:
                client = next(queue, None)
            if client is None:
                return
            path, body = request_for(client)
            try:
                code, elapsed, payload = post(port, path, client["token"], body)
            except OSError:
                code, elapsed, payload = 0, 0.0, {}
            with lock:
                latencies.append(elapsed)
                statuses[code] = statuses.get(code, 0) + 1
                if code in (200, 201):
                    ids.append(payload.get("id"))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    started.wait(timeout=60)
    t0 = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    wall = time.perf_counter() - t0
    return {"wall": wall, "latencies": latencies, "statuses": statuses, "ids": ids}


def pgbench_run(url: str, setup: dict, n: int, concurrency: int) -> dict:
    """The same INSERT through pgbench: each transaction takes the next enterprise from a sequence."""
    rows = ",".join(f"({i + 1},{c['enterprise']},{c['user']})" for i, c in enumerate(setup["clients"]))
    prep = f"""
    DROP TABLE IF EXISTS bench_enterprise; DROP SEQUENCE IF EXISTS bench_seq;
    CREATE TABLE bench_enterprise (n int PRIMARY KEY, enterprise_id bigint, user_id bigint);
    CREATE SEQUENCE bench_seq;
    INSERT INTO bench_enterprise VALUES {rows};
    """
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=prep, text=True, check=True, capture_output=True)
    # nextval() once per transaction (in a CTE: in a WHERE clause it would run once per row scanned).
    script = f"""WITH next AS (SELECT nextval('bench_seq') AS n)
INSERT INTO vouchers_claim (batch_id, enterprise_id, year, amount_fen, allocated_fen, quota_fen,
 quota_returned_fen, status, priority, submitted_at, submitted_by_id)
 SELECT {setup["pgbench"]}, enterprise_id, {setup["year"]}, 100000, 0, 100000, 0, 'waiting', false, now(), user_id
 FROM bench_enterprise JOIN next USING (n);
"""
    workdir = Path(tempfile.mkdtemp(prefix="pgbench_"))
    try:
        (workdir / "claim.sql").write_text(script)
        clients = min(concurrency, n)
        per_client, extra = divmod(n, clients)
        # pgbench runs the same count per client: run the remainder as a second, small pass.
        started = time.perf_counter()
        runs = [(clients, per_client)] + ([(extra, 1)] if extra else [])
        for c, t in runs:
            if t:
                subprocess.run(
                    ["pgbench", "-n", "-c", str(c), "-j", "2", "-t", str(t), "-f", "claim.sql", "-l", url],
                    cwd=workdir,
                    check=True,
                    capture_output=True,
                )
        wall = time.perf_counter() - started
        latencies = []
        for log in workdir.glob("pgbench_log.*"):
            for line in log.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]) / 1_000_000)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"wall": wall, "latencies": latencies, "statuses": {"ok": len(latencies)}, "ids": []}


def report(results: dict, counts: dict, args) -> None:
    key_of = {"claim": "claim", "bare DRF": "bare", "pgbench": "pgbench"}
    print(f"\nclaim rush: N={args.n} per path, {args.c} concurrent clients, gunicorn {args.workers} sync workers")
    print(f"{'path':<10} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'lost':>6} {'dup':>5}  statuses")
    rps = {}
    for name, result in results.items():
        lat = sorted(result["latencies"])
        rps[name] = len(lat) / result["wall"] if result["wall"] else 0.0
        p50 = statistics.median(lat) * 1000 if lat else float("nan")
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
        rows = counts[key_of[name]]
        lost = args.n - rows["distinct"]
        dup = rows["rows"] - rows["distinct"] + (len(result["ids"]) - len(set(result["ids"])))
        print(f"{name:<10} {rps[name]:>9.1f} {p50:>9.2f} {p99:>9.2f} {lost:>6} {dup:>5}  {result['statuses']}")
    print(f"\nclaim / bare DRF: {rps['claim'] / rps['bare DRF']:.2f}   (target ≥ 0.80)")
    print(f"claim / pgbench:  {rps['claim'] / rps['pgbench']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
