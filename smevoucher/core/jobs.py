"""Queueing a background job by its task name after the current transaction commits.

Tasks import their app's services; services queue tasks through here, by name, so no app has a services ↔ tasks
import circle (CONVENTIONS §2). Outside a transaction the job is queued at once.
"""

from importlib import import_module

from django.db import transaction


def queue_after_commit(task_name: str, *args) -> None:
    """`task_name` is the task's full name, e.g. "smevoucher.core.tasks.seal_audit_log"."""

    module, name = task_name.rsplit(".", 1)

    def send():
        # imported when sent, not when this module loads: that is what keeps the import graph one-way
        getattr(import_module(module), name).delay(*args)

    transaction.on_commit(send)
