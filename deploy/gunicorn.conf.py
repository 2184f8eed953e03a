"""gunicorn for one app server (systemd unit smevoucher-web.service; `make cluster` starts two of them).

Everything a deployment changes comes from the environment file: GUNICORN_BIND, WEB_CONCURRENCY,
FORWARDED_ALLOW_IPS (the nginx servers), PROMETHEUS_MULTIPROC_DIR.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one worker and one database connection; 2 per core keeps the CPUs busy while
# others wait on PostgreSQL. See docs/capacity.md.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # below nginx's proxy_read_timeout (75 s)
graceful_timeout = 30
keepalive = 5  # nginx keeps upstream connections open (keepalive in the upstream block)
max_requests = 2000  # recycle workers now and then (memory), staggered
max_requests_jitter = 200
limit_request_line = 8190
# Only these addresses (the reverse proxies) may set X-Forwarded-Proto / X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# Logs to stdout/stderr (journald under systemd). The access line carries the request id nginx assigned.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"time":"%(t)s","remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":"%(B)s",'
    '"duration_us":%(D)s,"request_id":"%({x-request-id}i)s","upstream":"' + bind + '"}'
)


def on_starting(server):
    # Prometheus counters of every worker are summed through files in this folder; start each run clean.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
