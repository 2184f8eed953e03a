"""Shared test set-up: one live server and one Chromium for every browser test, PostgreSQL-only tests,
and CI's rule that nothing may be skipped."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + ORM inside sync Playwright tests

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_browser = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}")
    # With pytest-xdist (`-n auto --dist loadgroup`) every browser test runs on one worker: one live server and
    # one Chromium for all of them, while the other workers take the rest.
    one_browser = pytest.mark.xdist_group("browser")
    for item in items:
        if "postgres" in item.keywords and not _on_postgres():
            item.add_marker(skip_pg)
        if "browser" in item.keywords:
            item.add_marker(one_browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(skip_browser)


def pytest_sessionfinish(session, exitstatus):
    """Under CI=true a skipped test is a failure: the PostgreSQL and browser tests must really run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) were skipped; every test must run in CI.", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none (all requests come from 127.0.0.1)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _integrity_scan_on_event(request, settings):
    """The factories take orders from placed to paid in seconds, which the integrity signals rightly flag (and a
    flagged redemption line waits for the unit): the incremental run is on only where a test asks for it."""
    settings.INTEGRITY_SCAN_ON_EVENT = request.node.get_closest_marker("integrity_events") is not None


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test fails when the browser reports a Content-Security-Policy violation."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    reports = []
    page.on(
        "console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield
    assert not reports, f"CSP violations: {reports}"


@pytest.fixture(autouse=True)
def _live_server_idle_before_flush(request):
    """A closed browser page does not stop the request it had sent: the live server still answers it while the
    test's teardown empties the database, and the TRUNCATE then competes with that request for the tables' locks
    (CI once failed with "couldn't be flushed"). So the teardown first waits, up to 30 s, until the live server
    answers no request."""
    if "live_server" not in request.fixturenames:
        yield
        return
    import threading
    import time

    from django.core.signals import request_finished, request_started

    request.getfixturevalue("live_server")  # set up before this fixture, so torn down (flushed) after it
    in_flight = [0]
    lock = threading.Lock()

    def started(**kwargs):
        with lock:
            in_flight[0] += 1

    def finished(**kwargs):
        with lock:
            in_flight[0] -= 1

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    yield
    deadline = time.monotonic() + 30
    while in_flight[0] > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    request_started.disconnect(started)
    request_finished.disconnect(finished)


@pytest.fixture
def log_in(live_server):
    """log_in(page, user): log a user in through the login page (and the TOTP step for staff)."""

    def do(page, user, password=None):
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from smevoucher.accounts.factories import PASSWORD

        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(password or PASSWORD)
        page.get_by_role("button", name="登录").click()
        if user.requires_two_factor:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                user=user, name="browser", confirmed=True
            )
            page.get_by_label("动态口令").fill(f"{totp(device.bin_key):06d}")
            page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()

    return do


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test stores uploaded materials into its own folder, never into var/ (Django resets the storages
    when STORAGES changes)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def nav():
    """nav(page, label): follow an entry of the main navigation as a user would, opening the phone menu and the
    entry's drop-down first when they are closed (badges after the label are ignored)."""
    import re

    def go(page, label):
        menu = page.get_by_test_id("main-nav")
        name = re.compile(rf"^\s*{re.escape(label)}(\s+\d+)?\s*$")
        link = menu.get_by_role("link", name=name, include_hidden=True).first
        if not link.is_visible():
            toggle = page.get_by_test_id("menu-toggle")
            if toggle.is_visible() and not menu.is_visible():
                toggle.click()
            entry = page.get_by_role("link", name=name, include_hidden=True)  # relative: inside the drop-down
            menu.locator("li.dropdown").filter(has=entry).locator(".dropdown-toggle").first.click()
        link.click()
        page.wait_for_load_state()

    return go
