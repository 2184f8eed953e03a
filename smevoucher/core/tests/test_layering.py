"""Tasks import services, never the other way (CONVENTIONS §2): a services module that imports its app's tasks
module makes an import circle; it queues jobs by name through `core.jobs` instead."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

import smevoucher
from smevoucher.core import jobs

ROOT = Path(smevoucher.__file__).parent


def _service_modules():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.name in ("services.py", "audit.py", "export_jobs.py") or "services" in parts[:-1]:
            yield path


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            yield ("." * node.level) + (node.module or ""), [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_no_services_module_imports_a_tasks_module():
    offenders = [
        f"{path.relative_to(ROOT)}: {module} {names}"
        for path in _service_modules()
        for module, names in _imported_modules(path)
        if module.rsplit(".", 1)[-1] == "tasks" or "tasks" in names
    ]
    assert len(list(_service_modules())) > 10
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_runs_only_after_the_commit(monkeypatch):
    from smevoucher.vouchers import tasks

    ran = []
    monkeypatch.setattr(tasks.backfill_batch, "delay", lambda batch_id: ran.append(batch_id))
    with transaction.atomic():
        jobs.queue_after_commit("smevoucher.vouchers.tasks.backfill_batch", 7)
        assert ran == []
    assert ran == [7]


def test_a_process_starts_without_the_file_libraries():
    """openpyxl and the PDF libraries take about a third of a second to import: a worker or a scheduled command
    that loads every app and URL must not pay it (they are imported where a file is written or checked)."""
    heavy = ["openpyxl", "pypdf", "pypdfium2", "img2pdf"]
    code = (
        "import sys, django; django.setup(); from django.urls import reverse; reverse('vouchers:wallet'); "
        f"print(' '.join(name for name in {heavy!r} if name in sys.modules))"
    )
    loaded = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert loaded.stdout.strip() == ""
