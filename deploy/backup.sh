#!/usr/bin/env bash
# Backup: the database (pg_dump, custom format, with exact row counts from the same snapshot) and a copy of every
# object in the object storage, into $BACKUP_DIR/<UTC time>/ with a SHA256SUMS file; backups older than
# BACKUP_KEEP_DAYS are removed. Run daily from cron or a systemd timer on one server:
#   deploy/backup.sh /etc/smevoucher/env
# The database is dumped first: uploaded files are never changed or deleted, so every file a dumped row names
# is in the object copy taken after it. Copy $BACKUP_DIR off the machine (another site) afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${1:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$1"
  set +a
fi
: "${DATABASE_URL:?set DATABASE_URL (or pass the environment file)}" "${BACKUP_DIR:?set BACKUP_DIR}"
PYTHON="${PYTHON:-.venv/bin/python}"

target="$BACKUP_DIR/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$target"
chmod 700 "$BACKUP_DIR" "$target"
"$PYTHON" deploy/backup_tool.py dump "$target"
"$PYTHON" deploy/backup_tool.py objects-get "$target"
(cd "$target" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -mtime "+${BACKUP_KEEP_DAYS:-14}" -exec rm -rf {} +
echo "$target"
