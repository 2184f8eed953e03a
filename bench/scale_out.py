# ruff: noqa: S603, S607  (a local tool: runs nginx, manage.py and render.sh with arguments it builds)
"""Scale-out figure: the claim rush through nginx with one and with two app servers (and, for the balancer's own
cost, straight to one app server), with the CPU each tier spent per claim.

    make cluster                                   # the topology on loopback (deploy/cluster.sh)
    .venv/bin/python bench/scale_out.py            # N=1500 claims per configuration, 32 clients
    .venv/bin/python bench/scale_out.py -n 3000 -c 64

It uses the running cluster's PostgreSQL, Redis and two app servers (gunicorn, WEB_CONCURRENCY workers each),
starts two extra nginx instances of its own from deploy/nginx/smevoucher.conf (rendered by deploy/render.sh: one
balancing over app server 1 only, one over both; TLS as in production; clients keep their connections alive),
and makes N approved enterprises with API tokens and one open batch per configuration. For each configuration
every enterprise claims once (POST /api/v1/batches/<id>/claims/); it prints requests/s, p50/p99 latency,
lost/duplicated claims, and the CPU seconds per claim of the app servers, nginx and PostgreSQL (from /proc), which
docs/capacity.md turns into a province's sizing. Everything stays on 127.0.0.1, every loop is bounded, and the
extra nginx instances are stopped at the end. Not a test: pytest does not collect it.
"""

import argparse
import http.client
import json
import os
import resource
import signal
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLUSTER_DIR = Path(os.environ.get("CLUSTER_DIR", ROOT / "var" / "cluster"))
HOST = "127.0.0.1"
TICKS = os.sysconf("SC_CLK_TCK")


def cluster_env() -> dict:
    env_file = CLUSTER_DIR / "env"
    if not env_file.exists():
        raise SystemExit("the cluster is not running: make cluster")
    out = subprocess.run(
        ["bash", "-c", f"set -a; . {env_file}; env -0"], capture_output=True, check=True
    ).stdout.decode()
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


SETUP = r"""
import json, secrets, sys
import django
django.setup()
from datetime import timedelta
from rest_framework.authtoken.models import Token
from smevoucher.accounts.factories import city, city_unit_user
from smevoucher.accounts.models import Organisation, User
from smevoucher.core import clock
from smevoucher.enterprises.factories import make_uscc
from smevoucher.enterprises.models import Enterprise
from smevoucher.vouchers import services

n, batches, tag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
import itertools, random
from smevoucher.enterprises import factories
factories._serial = itertools.count(random.randrange(1_000_000, 9_000_000))  # new credit codes on every run
gz = city("440100")
orgs = Organisation.objects.bulk_create(
    Organisation(kind="enterprise", name=f"扩容压测{tag}企业{i}有限公司", city=gz) for i in range(n)
)
ents = Enterprise.objects.bulk_create(
    Enterprise(organisation=o, uscc=make_uscc(), city=gz, size="small", industry="C", legal_representative="王",
               contact_name="李", contact_phone="1", contact_email="b@example.test", status="approved")
    for o in orgs
)
users = User.objects.bulk_create(User(username=f"scale{tag}_{o.pk}", organisation=o) for o in orgs)
tokens = Token.objects.bulk_create(Token(user=u, key=secrets.token_hex(20)) for u in users)
unit = User.objects.filter(username="unit_guangzhou").first() or city_unit_user("440100")  # the demo's unit
start = clock.now() - timedelta(minutes=1)
ids = []
for b in range(batches):
    batch = services.batch_create(actor=unit, name=f"扩容压测{tag}-{b}", total_fen=n * 1000_00, claim_start=start,
                                  claim_end=start + timedelta(hours=6), service_start=start.date(),
                                  service_end=start.date() + timedelta(days=100),
                                  validity_end=start.date() + timedelta(days=90))
    ids.append(services.batch_open(actor=unit, batch_id=batch.pk).pk)
print(json.dumps({"batches": ids, "tokens": [t.key for t in tokens]}))
"""

COUNT = r"""
import json, sys
import django
django.setup()
from smevoucher.vouchers.models import Claim
out = {}
for batch in json.loads(sys.argv[1]):
    rows = Claim.objects.filter(batch_id=batch)
    out[batch] = {"rows": rows.count(), "distinct": rows.values("enterprise_id").distinct().count()}
print(json.dumps(out))
"""


def start_nginx(env: dict, name: str, port: int, servers: str) -> tuple[subprocess.Popen, Path]:
    """An nginx of our own from the production site file, balancing over `servers`."""
    folder = CLUSTER_DIR / "bench" / name
    (folder / "temp").mkdir(parents=True, exist_ok=True)
    site_env = {
        **env,
        "APP_SERVERS": servers,
        "HTTPS_LISTEN": f"{HOST}:{port}",
        "HTTP_LISTEN": f"{HOST}:{port + 1}",
        "NGINX_LOG_DIR": str(folder),
        "HTTPS_PORT_SUFFIX": f":{port}",
    }
    site = subprocess.run(
        ["deploy/render.sh", "deploy/nginx/smevoucher.conf"],
        cwd=ROOT,
        env=site_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (folder / "site.conf").write_text(site)
    user = "user root;" if os.getuid() == 0 else ""
    (folder / "nginx.conf").write_text(f"""{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include {folder}/site.conf;
}}
""")
    process = subprocess.Popen(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)], start_new_session=True)
    for _ in range(50):
        try:
            probe = http.client.HTTPSConnection(HOST, port, timeout=2, context=tls_context(env))
            probe.request("GET", "/healthz")
            probe.getresponse().read()
            return process, folder
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nginx {name} did not start")


def tls_context(env: dict) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=env["TLS_CERTIFICATE"])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and every descendant: each live process's own time plus what its
    exited children used (PostgreSQL backends and recycled gunicorn workers come and go)."""
    total = 0
    seen = set()
    stack = list(pids)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        stack.extend(int(c) for c in children)
    return total / TICKS


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def postgres_pids(env: dict) -> list[int]:
    out = []
    for which in ("primary", "replica"):
        pid_file = CLUSTER_DIR / "pg" / which / "postmaster.pid"
        if pid_file.exists():
            out.append(int(pid_file.read_text().split()[0]))
    return out


def rush(target: tuple[str, int, bool], env: dict, tokens: list[str], batch: int, concurrency: int) -> dict:
    """Every token claims once; `concurrency` clients, each on one kept-alive connection."""
    host, port, tls = target
    queue = iter(tokens)
    lock = threading.Lock()
    latencies, statuses = [], {}
    barrier = threading.Barrier(concurrency + 1)
    body = json.dumps({"amount_fen": 1000_00})

    def client():
        def connect():
            if tls:
                return http.client.HTTPSConnection(host, port, timeout=60, context=tls_context(env))
            return http.client.HTTPConnection(host, port, timeout=60)

        connection = connect()
        barrier.wait(timeout=60)
        while True:
            with lock:
                token = next(queue, None)
            if token is None:
                break
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": HOST}
            if not tls:
                headers["X-Forwarded-Proto"] = "https"  # what nginx would say; the app server trusts 127.0.0.1
            started = time.perf_counter()
            try:
                connection.request("POST", f"/api/v1/batches/{batch}/claims/", body, headers)
                response = connection.getresponse()
                response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = connect()
                code = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[code] = statuses.get(code, 0) + 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    t0 = time.perf_counter()
    for thread in threads:
        thread.join(timeout=900)
    return {"wall": time.perf_counter() - t0, "latencies": latencies, "statuses": statuses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1500, help="claims per configuration (default 1500)")
    parser.add_argument("-c", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--port", type=int, default=18600, help="first port of the bench's own nginx instances")
    args = parser.parse_args()
    if not 1 <= args.n <= 50_000 or not 1 <= args.c <= 256:
        parser.error("n must be 1..50000 and c 1..256")

    env = cluster_env()
    py_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "smevoucher.settings"}
    web = [int((CLUSTER_DIR / "pids" / f"web{i}.pid").read_text()) for i in (1, 2)]
    configurations = [
        ("direct to app server 1 (no nginx)", (HOST, int(env["CLUSTER_PORT_WEB1"]), False), None),
        ("nginx -> 1 app server", (HOST, args.port, True), f"{HOST}:{env['CLUSTER_PORT_WEB1']}"),
        (
            "nginx -> 2 app servers",
            (HOST, args.port + 10, True),
            f"{HOST}:{env['CLUSTER_PORT_WEB1']} {HOST}:{env['CLUSTER_PORT_WEB2']}",
        ),
    ]
    tag = str(int(time.time()))
    setup = json.loads(
        subprocess.run(
            [sys.executable, "-c", SETUP, str(args.n), str(len(configurations) + 1), tag],
            cwd=ROOT,
            env=py_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    nginx = []
    try:
        results = []
        for index, (name, target, servers) in enumerate(configurations):
            if servers:
                process, _ = start_nginx(env, f"nginx{index}", target[1], servers)
                nginx.append(process)
            if index == 0:  # warm every worker and connection once, in a batch of its own
                rush(target, env, setup["tokens"][: min(200, args.n)], setup["batches"][-1], min(args.c, 16))
            tiers = {"app": web, "nginx": [p.pid for p in nginx[-1:]], "postgres": postgres_pids(env)}
            before = {tier: cpu_seconds(pids) for tier, pids in tiers.items()}
            client_before, busy_before = resource.getrusage(resource.RUSAGE_SELF), machine_busy()
            result = rush(target, env, setup["tokens"], setup["batches"][index], args.c)
            result["cpu"] = {tier: cpu_seconds(pids) - before[tier] for tier, pids in tiers.items()}
            client_after, busy_after = resource.getrusage(resource.RUSAGE_SELF), machine_busy()
            result["cpu"]["client"] = (client_after.ru_utime + client_after.ru_stime) - (
                client_before.ru_utime + client_before.ru_stime
            )
            busy = (busy_after[0] - busy_before[0]) / TICKS
            # Whatever else ran on the machine meanwhile (other work, not this topology or its load generator).
            result["other"] = max(0.0, busy - sum(result["cpu"].values())) / result["wall"]
            results.append((name, result))
        counts = json.loads(
            subprocess.run(
                [sys.executable, "-c", COUNT, json.dumps(setup["batches"][:-1])],
                cwd=ROOT,
                env=py_env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    finally:
        for process in nginx:
            os.killpg(process.pid, signal.SIGQUIT)
            process.wait(timeout=30)

    print(
        f"\nscale-out: N={args.n} claims per configuration, {args.c} concurrent clients (kept-alive connections), "
        f"{os.cpu_count()} cores, WEB_CONCURRENCY={env.get('WEB_CONCURRENCY')} sync workers per app server"
    )
    print(
        f"{'configuration':<34} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'lost':>4} {'dup':>3}"
        f" {'CPU ms/claim: app':>17} {'nginx':>5} {'pg':>5} {'client':>6}  {'other load':>10}  statuses"
    )
    for (name, result), batch in zip(results, setup["batches"], strict=False):
        lat = sorted(result["latencies"])
        rps = len(lat) / result["wall"]
        p50, p99 = statistics.median(lat) * 1000, lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        rows = counts[str(batch)]
        lost, dup = args.n - rows["distinct"], rows["rows"] - rows["distinct"]
        cpu = {tier: seconds * 1000 / args.n for tier, seconds in result["cpu"].items()}
        print(
            f"{name:<34} {rps:>6.1f} {p50:>7.1f} {p99:>7.1f} {lost:>4} {dup:>3} {cpu['app']:>17.2f}"
            f" {cpu['nginx']:>5.2f} {cpu['postgres']:>5.2f} {cpu['client']:>6.2f}  {result['other']:>6.2f} cores"
            f"  {result['statuses']}"
        )
    print("CPU ms/claim: CPU time each tier spent divided by the claims; other load: cores busy with anything else.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
