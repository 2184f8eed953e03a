#!/usr/bin/env bash
# Restore drill (make restore-drill): back up the cluster with deploy/backup.sh, restore it into a fresh database
# and a fresh bucket, then check the restored copy: verify_ledger, verify_audit, the row counts of every table
# against the backup's, and every stored document's file present. Starts the cluster when it is not running (and
# then stops it again); removes the restored database and bucket at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
CLUSTER_DIR="${CLUSTER_DIR:-$PWD/var/cluster}"
PY=.venv/bin/python
log() { printf '[restore-drill %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

started_here=0
if ! { [ -f "$CLUSTER_DIR/pids/web1.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/pids/web1.pid")" 2>/dev/null; }; then
  deploy/cluster.sh start
  started_here=1
fi
set -a
# shellcheck disable=SC1091
. "$CLUSTER_DIR/env"
set +a
restore_db=smevoucher_restore
restore_bucket="$S3_BUCKET-restore"
restore_url="postgres://postgres@127.0.0.1:$CLUSTER_PORT_PG/$restore_db"
cleanup() {
  dropdb -h 127.0.0.1 -p "$CLUSTER_PORT_PG" -U postgres --if-exists "$restore_db" || true
  "$PY" - <<PYEOF || true
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name=os.environ["S3_REGION"],
                  aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"], aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"])
bucket = s3.list_objects_v2(Bucket="$restore_bucket") if "$restore_bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]] else None
if bucket is not None:
    for item in bucket.get("Contents", []):
        s3.delete_object(Bucket="$restore_bucket", Key=item["Key"])
    s3.delete_bucket(Bucket="$restore_bucket")
PYEOF
  if [ "$started_here" = 1 ]; then deploy/cluster.sh stop; fi
}
trap cleanup EXIT

log "backup"
backup="$(deploy/backup.sh | tail -n 1)"
(cd "$backup" && sha256sum --quiet -c SHA256SUMS)
log "restore $backup into database $restore_db and bucket $restore_bucket"
createdb -h 127.0.0.1 -p "$CLUSTER_PORT_PG" -U postgres "$restore_db"
pg_restore --no-owner --no-privileges --exit-on-error -d "$restore_url" "$backup/db.dump"
"$PY" deploy/backup_tool.py objects-put "$backup/objects" "$restore_bucket"

log "verify the restored copy (row counts first: verify_audit seals events still pending)"
export DATABASE_URL="$restore_url" S3_BUCKET="$restore_bucket"
unset REPLICA_DATABASE_URL
"$PY" deploy/backup_tool.py counts >"$backup/restored-counts.json"
"$PY" - "$backup" <<'PYEOF'
import json, sys
from pathlib import Path
backup = Path(sys.argv[1])
before = json.loads((backup / "counts.json").read_text())
after = json.loads((backup / "restored-counts.json").read_text())
differences = {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}
if differences:
    sys.exit(f"row counts differ (backup, restored): {differences}")
print(f"row counts match: {sum(after.values())} rows in {len(after)} tables")
PYEOF
"$PY" manage.py verify_ledger
"$PY" manage.py verify_audit
"$PY" manage.py shell -c "
from django.core.files.storage import default_storage
from smevoucher.documents.models import Document
names = list(Document.objects.values_list('file', flat=True))
missing = [n for n in names if not default_storage.exists(n)]
assert not missing, f'files missing from the restored bucket: {missing[:5]}'
print(f'all {len(names)} stored documents have their file in the restored bucket')
"
log "restore drill passed"
