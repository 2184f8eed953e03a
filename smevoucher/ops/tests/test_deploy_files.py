# ruff: noqa: S603, S607  (runs the repository's own deploy scripts)
"""The deploy/ templates render completely from deploy/env.example (the operator's one configuration file), and
the example passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = [
    "deploy/nginx/smevoucher.conf",
    "deploy/systemd/smevoucher-web.service",
    "deploy/systemd/smevoucher-worker.service",
    "deploy/systemd/smevoucher-beat.service",
]


def example_environment() -> dict:
    out = subprocess.run(
        ["bash", "-c", "set -a; . deploy/env.example; env -0"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},  # the example's variables only
        capture_output=True,
        check=True,
    ).stdout.decode()
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_placeholder_is_filled_from_the_example(template):
    rendered = subprocess.run(
        ["deploy/render.sh", template], cwd=ROOT, env=example_environment(), capture_output=True, text=True, check=True
    ).stdout
    assert "@" not in rendered.replace("noreply@", "").replace("@LIKE_THIS@", "")
    if template.endswith(".conf"):
        assert "server 10.0.0.11:8000 max_fails=2 fail_timeout=10s; server 10.0.0.12:8000" in rendered
        assert "allow 10.0.0.0/24;" in rendered and "return 301 https://$host$request_uri;" in rendered
    else:
        assert "ExecStart=/srv/smevoucher/.venv/bin/" in rendered and "User=smevoucher" in rendered


def test_a_missing_value_is_refused():
    env = {k: v for k, v in example_environment().items() if k != "SERVER_NAME"}
    result = subprocess.run(["deploy/render.sh", TEMPLATES[0]], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1 and "SERVER_NAME is not set" in result.stderr


def test_the_example_passes_the_deployment_checks():
    env = {**example_environment(), "SECRET_KEY": "x" * 30 + "-Kq9!vR2#mZ8@pL5$wT3^nB7&cF1"}
    for name in ("DATABASE_URL", "REPLICA_DATABASE_URL"):
        env[name] = "sqlite:///unused.sqlite3"  # the checks never connect
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
