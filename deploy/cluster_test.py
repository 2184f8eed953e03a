# ruff: noqa: S603  (a local smoke test: runs manage.py with arguments it builds)
"""Smoke test of the running cluster (make cluster-test; deploy/cluster.sh sets the environment).

Everything goes through nginx over TLS, as a user would: a log-in served by one app server continued on the
other, an upload on one downloaded through the other (the file lives in the object storage), a claim whose
audit row carries the request id and is sealed by the Celery worker, the notice board read from the streaming
replica (shown by pausing the replica's replay), and the operations endpoints (health, readiness, metrics only
from allowed addresses). Which app server answered comes from nginx's access log (request id -> upstream).
"""

import io
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import psycopg
import requests
from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BASE = f"https://{HOST}:{os.environ['CLUSTER_PORT_HTTPS']}"
WEB = [f"http://{HOST}:{os.environ['CLUSTER_PORT_WEB1']}", f"http://{HOST}:{os.environ['CLUSTER_PORT_WEB2']}"]
CA = os.environ["TLS_CERTIFICATE"]
ACCESS_LOG = Path(os.environ["NGINX_LOG_DIR"]) / "smevoucher.access.log"
PRIMARY = f"host={HOST} port={os.environ['CLUSTER_PORT_PG']} user=postgres dbname=smevoucher"
REPLICA = f"host={HOST} port={os.environ['CLUSTER_PORT_PG_REPLICA']} user=postgres dbname=smevoucher"
PASSWORD = "demo-pass-2026"  # the demo accounts' password (README)


def client() -> requests.Session:
    """Loopback only: no proxy or CA bundle from the environment; the cluster's own certificate."""
    session = requests.Session()
    session.trust_env = False
    session.verify = CA
    return session


http = client()


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")
    print(f"  ok  {message}")


def upstream_of(response) -> str:
    """The app server nginx sent this request to, from its access log."""
    request_id = response.headers["X-Request-ID"]
    for _ in range(50):
        for line in reversed(ACCESS_LOG.read_text().splitlines()):
            if f"request_id={request_id}" in line:
                return re.search(r"upstream=(\S+)", line).group(1)
        time.sleep(0.1)
    raise SystemExit(f"FAILED: request {request_id} is not in nginx's access log")


def on_other_server(session, first: str, method: str, path: str, **kwargs):
    """Repeat a request until nginx sends it to another app server than `first` (round robin: within a few)."""
    for _ in range(8):
        response = session.request(method, BASE + path, allow_redirects=False, **kwargs)
        if upstream_of(response) != first:
            return response
    raise SystemExit(f"FAILED: nginx never sent {path} to the second app server")


def query(dsn: str, sql: str, params=()):
    with psycopg.connect(dsn, autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True)


def operations():
    print("operations endpoints")
    check(http.get(f"{BASE}/healthz", timeout=10).status_code == 200, "/healthz through nginx")
    check(http.get(f"{BASE}/metrics", timeout=10).status_code == 404, "/metrics refused through nginx")
    plain = http.get(f"http://{HOST}:{os.environ['CLUSTER_PORT_HTTP']}/healthz", allow_redirects=False, timeout=10)
    check(plain.status_code == 301, "plain HTTP redirects to HTTPS")
    static = http.get(f"{BASE}/static/css/site.css", timeout=10)
    check(
        static.status_code == 200
        and static.headers.get("Cache-Control") == "max-age=604800"
        and "Strict-Transport-Security" in static.headers,
        "nginx serves static files (cached 7 days)",
    )
    too_big = http.post(f"{BASE}/api/v1/documents/", data=b"0" * (41 * 1024 * 1024), timeout=30)
    check(too_big.status_code == 413, "nginx refuses a 41 MB upload (client_max_body_size)")
    for web in WEB:
        ready = http.get(f"{web}/readyz?format=json", timeout=30)
        checks = ready.json()
        check(ready.status_code == 200 and {"ReplicaLag()", "Migrations()"} <= set(checks), f"{web}/readyz: {checks}")
        metrics = http.get(f"{web}/metrics", timeout=10)
        check(
            metrics.status_code == 200 and "django_http_requests_total_by_view_transport_method" in metrics.text,
            f"{web}/metrics answers the allowed address",
        )


def log_in_on_one_continue_on_the_other() -> requests.Session:
    print("log in on one app server, continue on the other")
    session = client()
    session.get(f"{BASE}/accounts/login/", timeout=10)
    response = session.post(
        f"{BASE}/accounts/login/",
        data={"username": "ent_gz1", "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{BASE}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    check(response.status_code == 302 and "/workbench/" in response.headers["Location"], "logged in (to the workbench)")
    first = upstream_of(response)
    # The enterprise's own page: an anonymous visitor would be sent to the log-in page instead.
    followed = on_other_server(session, first, "GET", "/enterprises/mine/", timeout=10)
    check(
        followed.status_code == 200 and "广州明珠精密制造有限公司" in followed.text,
        f"logged in on {first}, the enterprise's page served by {upstream_of(followed)}",
    )
    return session


CLAIMANT = """
SELECT u.username FROM accounts_user u JOIN enterprises_enterprise e ON e.organisation_id = u.organisation_id
 WHERE e.status = 'approved' AND u.username LIKE 'ent%%'
   AND e.city_id = (SELECT city_id FROM vouchers_batch WHERE id = %(batch)s)
   AND NOT EXISTS (SELECT 1 FROM vouchers_claim c WHERE c.enterprise_id = e.id AND c.batch_id = %(batch)s)
 ORDER BY u.username LIMIT 1
"""


def api_token(username: str = "ent_gz1") -> str:
    response = http.post(f"{BASE}/api/v1/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10)
    check(response.status_code == 200, "API token")
    return response.json()["token"]


def upload_on_one_download_on_the_other(token: str):
    print("upload on one app server, download through the other")
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    session = client()
    session.headers["Authorization"] = f"Token {token}"
    response = session.post(
        f"{BASE}/api/v1/documents/",
        data={"kind": "business_licence"},
        files={"files": ("licence.pdf", pdf.getvalue(), "application/pdf")},
        timeout=30,
    )
    check(response.status_code == 201, f"uploaded ({response.status_code})")
    document = response.json()["id"]
    first = upstream_of(response)
    download = on_other_server(session, first, "GET", f"/api/v1/documents/{document}/download/", timeout=30)
    check(
        download.status_code == 200 and download.content.startswith(b"%PDF"),
        f"uploaded on {first}, downloaded from {upstream_of(download)}",
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        region_name=os.environ["S3_REGION"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
    )
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=os.environ["S3_BUCKET"]).get("Contents", [])]
    check(any(key.startswith("materials/") for key in keys), "the file is in the object storage")


def claim_sealed_by_the_worker(token: str):
    print("a claim, audited with its request id and sealed by the worker")
    (batch,) = query(PRIMARY, "SELECT id FROM vouchers_batch WHERE status = 'open' ORDER BY id LIMIT 1")[0]
    # A demo enterprise of the batch's city that has not claimed in it yet (ent_gz1 on a fresh cluster).
    (username,) = query(PRIMARY, CLAIMANT, {"batch": batch})[0]
    if username != "ent_gz1":
        token = api_token(username)
    response = http.post(
        f"{BASE}/api/v1/batches/{batch}/claims/",
        json={"amount_fen": 1000_00},
        headers={"Authorization": f"Token {token}"},
        verify=CA,
        timeout=30,
    )
    check(response.status_code == 201, f"{username} claimed in batch {batch}")
    request_id = response.headers["X-Request-ID"]
    # nginx writes its log line just after the answer: upstream_of waits for the line with this id.
    check(bool(upstream_of(response)), "nginx's request id is the application's")
    deadline = time.monotonic() + 60
    while True:
        rows = query(PRIMARY, "SELECT action, seal_seq FROM core_auditevent WHERE request_id = %s", (request_id,))
        if rows and all(seal is not None for _, seal in rows):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"FAILED: the claim's audit rows were not sealed within 60 s: {rows}")
        time.sleep(1)
    check(True, f"audit rows {[action for action, _ in rows]} carry request id {request_id} and are sealed")


def board_read_from_the_replica():
    print("the notice board is read from the streaming replica")
    check(query(REPLICA, "SELECT pg_is_in_recovery()")[0][0], "the replica is a standby")
    title = f"集群演练公告{uuid.uuid4().hex[:8]}"
    query(REPLICA, "SELECT pg_wal_replay_pause()")
    try:
        published = manage(
            "shell",
            "-c",
            "from smevoucher.accounts.models import User; from smevoucher.notices.services import notice_publish;"
            f"notice_publish(actor=User.objects.get(username='unit_province'), category='policy', title='{title}',"
            " body='演练')",
        )
        check(published.returncode == 0, f"published on the primary {published.stderr[-300:]}")
        check(
            query(PRIMARY, "SELECT count(*) FROM notices_notice WHERE title = %s", (title,))[0][0] == 1,
            "the primary has it",
        )
        for web in range(2):
            page = http.get(f"{BASE}/notices/", timeout=10)  # newest first (a search would echo the title)
            api = http.get(f"{BASE}/api/v1/notices/", params={"q": title}, timeout=10)
            check(
                page.status_code == 200 and title not in page.text and title not in api.text,
                f"replay paused: the board (page and API, request {web + 1}) does not show it yet",
            )
    finally:
        query(REPLICA, "SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 30
    while title not in http.get(f"{BASE}/notices/", timeout=10).text:
        if time.monotonic() > deadline:
            raise SystemExit("FAILED: the board did not show the notice after the replica resumed")
        time.sleep(0.5)
    check(True, "replay resumed: the board shows it")


def business_metrics_and_integrity():
    print("business metrics and the integrity checks")
    deadline = time.monotonic() + 30  # the business figures are cached for 15 s
    while True:
        metrics = http.get(f"{WEB[0]}/metrics", timeout=10).text
        waiting = re.search(r'^smev_claims\{status="waiting"\} (\S+)$', metrics, re.M)
        if (waiting and float(waiting.group(1)) >= 1) or time.monotonic() > deadline:
            break
        time.sleep(1)
    check(waiting and float(waiting.group(1)) >= 1, "smev_claims counts the claim")
    check("smev_celery_queue_length" in metrics and "smev_ledger_transactions" in metrics, "queue and ledger gauges")
    for command in ("verify_ledger", "verify_audit"):
        result = manage(command)
        check(result.returncode == 0, f"manage.py {command}: {result.stdout.strip()[-120:]}")


def main():
    started = time.monotonic()
    operations()
    log_in_on_one_continue_on_the_other()
    token = api_token()
    upload_on_one_download_on_the_other(token)
    claim_sealed_by_the_worker(token)
    board_read_from_the_replica()
    business_metrics_and_integrity()
    print(f"cluster smoke test passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
