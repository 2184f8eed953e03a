"""The project's settings plus one bare insert endpoint (bench/urls_bench.py); used only by claim_rush.py."""

from smevoucher.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
