"""Helpers shared by the tests of several apps."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def run_together(calls) -> list:
    """Run each call in its own thread and database connection, released at the same moment (PostgreSQL
    concurrency tests); returns each call's result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=30)
            return call()
        except Exception as exc:  # collected for the assertions
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
