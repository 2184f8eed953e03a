# ruff: noqa: S603, S607, S608  (an operator's tool: runs pg_dump and counts tables whose names it reads from PostgreSQL)
"""The parts of deploy/backup.sh and the restore drill that need Python (psycopg, boto3).

backup_tool.py dump OUTDIR           pg_dump of DATABASE_URL and exact row counts of every table, both from one
                                     snapshot (OUTDIR/db.dump, OUTDIR/counts.json)
backup_tool.py objects-get OUTDIR    copy every object of S3_BUCKET (or PRIVATE_FILES_ROOT) to OUTDIR/objects
backup_tool.py objects-put DIR BUCKET   upload DIR's files into BUCKET (created when missing)
backup_tool.py counts                exact row counts of DATABASE_URL as JSON (the drill compares them)
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

TABLES = """
SELECT quote_ident(table_name) FROM information_schema.tables
 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


def libpq_url() -> str:
    return os.environ["DATABASE_URL"].replace("postgresql://", "postgres://", 1)


def row_counts(connection) -> dict[str, int]:
    tables = [row[0] for row in connection.execute(TABLES).fetchall()]
    return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}


def dump(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(libpq_url()) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = row_counts(connection)
        # pg_dump reads the very snapshot the counts came from, while this transaction holds it.
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={outdir / 'db.dump'}",
                libpq_url(),
            ],
            check=True,
        )
        connection.execute("COMMIT")
    (outdir / "counts.json").write_text(json.dumps(counts, indent=1, sort_keys=True))
    print(f"database: {sum(counts.values())} rows in {len(counts)} tables")


def s3_client():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("S3_REGION") or None,
        aws_access_key_id=os.environ.get("S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=os.environ.get("S3_SECRET_ACCESS_KEY") or None,
    )


def objects_get(outdir: Path) -> None:
    target = outdir / "objects"
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    if os.environ.get("S3_BUCKET"):
        client, bucket = s3_client(), os.environ["S3_BUCKET"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                path = target / item["Key"]
                path.parent.mkdir(parents=True, exist_ok=True)
                client.download_file(bucket, item["Key"], str(path))
                count += 1
    else:
        source = Path(os.environ.get("PRIVATE_FILES_ROOT", Path(__file__).resolve().parent.parent / "var" / "private"))
        if source.exists():
            shutil.copytree(source, target, dirs_exist_ok=True)
            count = sum(1 for p in target.rglob("*") if p.is_file())
    (outdir / "objects.json").write_text(json.dumps({"objects": count}))
    print(f"object storage: {count} objects")


def objects_put(source: Path, bucket: str) -> None:
    client = s3_client()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
    count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        client.upload_file(str(path), bucket, path.relative_to(source).as_posix())
        count += 1
    print(f"uploaded {count} objects into {bucket}")


def main(argv: list[str]) -> int:
    match argv:
        case ["dump", outdir]:
            dump(Path(outdir))
        case ["objects-get", outdir]:
            objects_get(Path(outdir))
        case ["objects-put", source, bucket]:
            objects_put(Path(source), bucket)
        case ["counts"]:
            with psycopg.connect(libpq_url()) as connection:
                print(json.dumps(row_counts(connection), sort_keys=True))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
