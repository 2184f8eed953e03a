"""One request id per request: in the response header, in every log line, on the error page and in the audit
rows the request wrote."""

import json
import logging

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from smevoucher.core import audit
from smevoucher.core.models import AuditEvent
from smevoucher.core.request_context import RequestIdLogFilter

pytestmark = pytest.mark.django_db

log = logging.getLogger("smevoucher.test")


def audited(request):
    log.warning("doing the audited thing")
    audit.record(None, "test.audited")
    return HttpResponse("ok")


def broken(request):
    log.warning("about to fail")
    raise RuntimeError("boom")


urlpatterns = [path("audited/", audited), path("broken/", broken)]
handler500 = "smevoucher.core.views.server_error"


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdLogFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def records():
    handler = Records()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


@override_settings(ROOT_URLCONF=__name__)
def test_the_request_id_is_in_the_header_the_logs_and_the_audit_row(client, records):
    response = client.get("/audited/")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    assert AuditEvent.objects.get(action="test.audited").request_id == request_id
    assert [r.request_id for r in records if r.name == "smevoucher.test"] == [request_id]
    assert client.get("/audited/").headers["X-Request-ID"] != request_id  # a new one per request


@override_settings(ROOT_URLCONF=__name__)
def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(client):
    assert (
        client.get("/audited/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef").headers["X-Request-ID"]
        == "0123456789abcdef0123456789abcdef"
    )
    replaced = client.get("/audited/", HTTP_X_REQUEST_ID="<script>").headers["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


@override_settings(ROOT_URLCONF=__name__)
def test_the_error_page_shows_the_request_id_of_the_logged_error(client, records):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.content.decode()
    assert {r.request_id for r in records if r.name in ("smevoucher.test", "django.request")} == {request_id}


def test_the_request_id_is_in_the_hash_of_a_sealed_event():
    event = audit.record(None, "test.sealed")
    AuditEvent.objects.filter(pk=event.pk).update(request_id="abcdef0123456789")
    audit.seal_pending()
    assert audit.verify_chain() == []
    AuditEvent.objects.filter(pk=event.pk).update(request_id="fedcba9876543210")
    assert audit.verify_chain() != []


def test_json_log_lines_carry_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    from smevoucher import settings as project

    formatter = JsonFormatter(**{k: v for k, v in project.LOGGING["formatters"]["json"].items() if k != "()"})
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdLogFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "hello" and line["request_id"] == "-" and line["level"] == "INFO"
