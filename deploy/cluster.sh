#!/usr/bin/env bash
# The production topology on one machine, from the files in deploy/ (make cluster / cluster-stop / cluster-test):
#   nginx (deploy/nginx/smevoucher.conf, TLS)  ->  two app servers (deploy/systemd/smevoucher-web.service's command)
#   Celery worker and beat (their units' commands), PostgreSQL primary + streaming replica (pg_basebackup),
#   Redis, and moto's S3 server as the object storage.
# Everything listens on 127.0.0.1 only, on ports that leave the machine's PostgreSQL (5432) and Redis (6379)
# alone; all state lives in $CLUSTER_DIR (default var/cluster); `stop` ends exactly the processes `start` began.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="$ROOT/.venv/bin"

CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/var/cluster}"
PORT_HTTP="${CLUSTER_PORT_HTTP:-18080}"
PORT_HTTPS="${CLUSTER_PORT_HTTPS:-18443}"
PORT_WEB1="${CLUSTER_PORT_WEB1:-18001}"
PORT_WEB2="${CLUSTER_PORT_WEB2:-18002}"
PORT_PG="${CLUSTER_PORT_PG:-15432}"
PORT_PG_REPLICA="${CLUSTER_PORT_PG_REPLICA:-15433}"
PORT_REDIS="${CLUSTER_PORT_REDIS:-16379}"
PORT_S3="${CLUSTER_PORT_S3:-19000}"
HOST=127.0.0.1
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
PIDS="$CLUSTER_DIR/pids"
LOGS="$CLUSTER_DIR/logs"

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# PostgreSQL refuses to run as root: as root (CI), its clusters belong to the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Start a long-running process in its own session (so stop can end it and its children by id).
spawn() {
  local name="$1"
  shift
  setsid "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! >"$PIDS/$name.pid"
}

wait_for() {  # wait_for <what> <seconds> <command...>
  local what="$1" seconds="$2"
  shift 2
  for _ in $(seq $((seconds * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "$what did not come up; its log:"
  tail -n 30 "$LOGS/$what.log" 2>/dev/null || true
  return 1
}

write_env() {
  local secret
  secret="$("$VENV/python" -c 'import secrets; print(secrets.token_urlsafe(64))')"
  # The same variable names as deploy/env.example, with the cluster's loopback values.
  cat >"$CLUSTER_DIR/env" <<EOF
DEBUG=0
SECRET_KEY=$secret
ALLOWED_HOSTS=$HOST,localhost
CSRF_TRUSTED_ORIGINS=https://$HOST:$PORT_HTTPS
SITE_URL=https://$HOST:$PORT_HTTPS
SECURE_COOKIES=1
SECURE_SSL_REDIRECT=1
SECURE_HSTS_SECONDS=3600
BEHIND_TLS_PROXY=1
LOG_FORMAT=json
LOG_LEVEL=INFO
DATABASE_URL=postgres://postgres@$HOST:$PORT_PG/smevoucher
REPLICA_DATABASE_URL=postgres://postgres@$HOST:$PORT_PG_REPLICA/smevoucher
DB_CONN_MAX_AGE=60
READY_MAX_REPLICA_LAG_SECONDS=60
REDIS_URL=redis://$HOST:$PORT_REDIS/0
S3_BUCKET=smevoucher-cluster
S3_ENDPOINT_URL=http://$HOST:$PORT_S3
S3_REGION=us-east-1
S3_ACCESS_KEY_ID=cluster
S3_SECRET_ACCESS_KEY=cluster-secret
EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
WEB_CONCURRENCY=2
FORWARDED_ALLOW_IPS=$HOST
METRICS_ALLOWED_ADDRESSES=$HOST
CELERY_CONCURRENCY=2
SERVER_NAME=$HOST
HTTP_LISTEN=$HOST:$PORT_HTTP
HTTPS_LISTEN=$HOST:$PORT_HTTPS
TLS_CERTIFICATE=$CLUSTER_DIR/tls/cert.pem
TLS_CERTIFICATE_KEY=$CLUSTER_DIR/tls/key.pem
APP_SERVERS="$HOST:$PORT_WEB1 $HOST:$PORT_WEB2"
OPS_NETWORKS=$HOST
NGINX_LOG_DIR=$LOGS
STATIC_ROOT=$ROOT/var/static
DEPLOY_DIR=$ROOT/deploy
APP_DIR=$ROOT
APP_USER=$(id -un)
ENV_FILE=$CLUSTER_DIR/env
STATE_DIR=$CLUSTER_DIR/state
BACKUP_DIR=$CLUSTER_DIR/backups
BACKUP_KEEP_DAYS=1
CLUSTER_PORT_WEB1=$PORT_WEB1
CLUSTER_PORT_WEB2=$PORT_WEB2
CLUSTER_PORT_HTTPS=$PORT_HTTPS
CLUSTER_PORT_HTTP=$PORT_HTTP
CLUSTER_PORT_PG=$PORT_PG
CLUSTER_PORT_PG_REPLICA=$PORT_PG_REPLICA
EOF
}

load_env() {
  set -a
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/env"
  set +a
}

# The ExecStart= line of a unit, rendered with the cluster's values.
exec_start() {
  deploy/render.sh "deploy/systemd/$1" | sed -n 's/^ExecStart=//p'
}

start_postgres() {
  log "PostgreSQL primary on $PORT_PG, streaming replica on $PORT_PG_REPLICA ($PGBIN)"
  local pg="$CLUSTER_DIR/pg"
  mkdir -p "$pg/run"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$pg" "$LOGS"; fi
  as_pg "$PGBIN/initdb" -D "$pg/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$pg/primary/postgresql.conf" <<EOF
listen_addresses = '$HOST'
port = $PORT_PG
unix_socket_directories = '$pg/run'
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
max_connections = 100
shared_buffers = 128MB
fsync = off
full_page_writes = on
EOF
  as_pg "$PGBIN/pg_ctl" -D "$pg/primary" -l "$LOGS/postgres-primary.log" -w start >/dev/null
  as_pg "$PGBIN/pg_basebackup" -h "$HOST" -p "$PORT_PG" -U postgres -D "$pg/replica" -R -X stream -c fast
  cat >>"$pg/replica/postgresql.conf" <<EOF
port = $PORT_PG_REPLICA
EOF
  as_pg "$PGBIN/pg_ctl" -D "$pg/replica" -l "$LOGS/postgres-replica.log" -w start >/dev/null
  createdb -h "$HOST" -p "$PORT_PG" -U postgres smevoucher
}

start_nginx() {
  log "nginx on https://$HOST:$PORT_HTTPS/ (http $PORT_HTTP redirects)"
  local dir="$CLUSTER_DIR/nginx"
  mkdir -p "$dir/temp" "$CLUSTER_DIR/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HOST" -addext "subjectAltName=IP:$HOST" \
    -keyout "$CLUSTER_DIR/tls/key.pem" -out "$CLUSTER_DIR/tls/cert.pem" 2>/dev/null
  deploy/render.sh deploy/nginx/smevoucher.conf >"$dir/smevoucher.conf"
  local user_line=""
  if [ "$(id -u)" = 0 ]; then user_line="user root;"; fi
  # The main configuration Debian's nginx.conf would provide, with every path inside the cluster folder.
  cat >"$dir/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $dir/nginx.pid;
error_log $LOGS/nginx.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    access_log off;
    include $dir/smevoucher.conf;
}
EOF
  nginx -t -q -c "$dir/nginx.conf" -p "$dir"
  nginx -c "$dir/nginx.conf" -p "$dir"
  wait_for nginx 10 test -s "$dir/nginx.pid"
  cp "$dir/nginx.pid" "$PIDS/nginx.pid"
}

start() {
  if [ -d "$PIDS" ] && [ -n "$(ls -A "$PIDS" 2>/dev/null)" ]; then
    log "already running (pid files in $PIDS): run make cluster-stop first"
    exit 1
  fi
  command -v nginx >/dev/null || { log "nginx is missing: apt-get install nginx"; exit 1; }
  [ -n "$PGBIN" ] || { log "PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin)"; exit 1; }
  rm -rf "$CLUSTER_DIR"
  trap 'log "start failed: stopping what was started"; stop' ERR
  mkdir -p "$PIDS" "$LOGS" "$CLUSTER_DIR/state" "$CLUSTER_DIR/prometheus"
  write_env
  load_env

  log "Redis on $PORT_REDIS, object storage (moto) on $PORT_S3"
  spawn redis redis-server --bind "$HOST" --port "$PORT_REDIS" --save "" --appendonly no --dir "$CLUSTER_DIR/state"
  spawn s3 "$VENV/moto_server" -H "$HOST" -p "$PORT_S3"
  start_postgres
  wait_for redis 10 redis-cli -h "$HOST" -p "$PORT_REDIS" ping
  wait_for s3 20 curl -sf "http://$HOST:$PORT_S3/moto-api/"

  log "migrate, bucket, static files, demo data"
  "$VENV/python" - <<'EOF'
import os
import boto3
boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name=os.environ["S3_REGION"],
             aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
             aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"]).create_bucket(Bucket=os.environ["S3_BUCKET"])
EOF
  "$VENV/python" manage.py collectstatic --noinput -v0 >"$LOGS/collectstatic.log" 2>&1 &
  local collecting=$!
  "$VENV/python" manage.py migrate --noinput -v0
  log "demo data"
  "$VENV/python" manage.py seed_demo >"$LOGS/seed_demo.log" 2>&1
  wait "$collecting"

  log "two app servers on $PORT_WEB1 and $PORT_WEB2, Celery worker and beat"
  local web worker beat
  web="$(exec_start smevoucher-web.service)"
  worker="$(exec_start smevoucher-worker.service)"
  beat="$(exec_start smevoucher-beat.service)"
  for n in 1 2; do
    local port_var="PORT_WEB$n"
    mkdir -p "$CLUSTER_DIR/prometheus/web$n"
    GUNICORN_BIND="$HOST:${!port_var}" PROMETHEUS_MULTIPROC_DIR="$CLUSTER_DIR/prometheus/web$n" \
      spawn "web$n" bash -c "exec $web"
  done
  spawn worker bash -c "exec $worker"
  spawn beat bash -c "exec $beat"
  start_nginx
  wait_for web1 30 curl -sf "http://$HOST:$PORT_WEB1/healthz"
  wait_for web2 30 curl -sf "http://$HOST:$PORT_WEB2/healthz"
  wait_for worker 30 "$VENV/celery" --app smevoucher inspect ping --timeout 1
  trap - ERR
  log "ready: https://$HOST:$PORT_HTTPS/ (self-signed certificate: $CLUSTER_DIR/tls/cert.pem); logs in $LOGS"
}

stop_pid() {  # TERM the process group, then KILL it if it is still there after 15 s
  local name="$1" pid
  pid="$(cat "$PIDS/$name.pid" 2>/dev/null || true)"
  rm -f "$PIDS/$name.pid"
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 75); do
    case "$(ps -o stat= -p "$pid" 2>/dev/null || true)" in
      "" | Z*) return 0 ;;  # gone, or exited and waiting for `cluster.sh test` (its parent) to reap it
    esac
    sleep 0.2
  done
  log "$name did not stop within 15 s: killing it"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  log "stopping"
  if [ -f "$PIDS/nginx.pid" ]; then
    kill -QUIT "$(cat "$PIDS/nginx.pid")" 2>/dev/null || true
    rm -f "$PIDS/nginx.pid"
  fi
  for name in web1 web2 beat worker s3 redis; do stop_pid "$name"; done
  for db in replica primary; do
    if [ -f "$CLUSTER_DIR/pg/$db/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/pg/$db" -m fast -w stop >/dev/null || true
    fi
  done
  log "stopped (state kept in $CLUSTER_DIR until the next start)"
}

smoke_test() {
  load_env
  "$VENV/python" deploy/cluster_test.py
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  test)
    started=$(date +%s)
    trap 'stop; log "cluster-test took $(( $(date +%s) - started )) s"' EXIT
    start
    smoke_test
    ;;
  *)
    echo "usage: $0 start|stop|test" >&2
    exit 2
    ;;
esac
