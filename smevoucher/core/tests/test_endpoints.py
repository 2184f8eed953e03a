"""Every page and endpoint not listed as public refuses an anonymous visitor (login redirect, 401/403, or 404
for objects). A new view without a permission check fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Public by design: the home page, flow chart, sign-up and log-in, the notice board, help centre (and its units'
# contacts) and catalogue, the eligibility look-up, each city's required materials (issue 15.2), the API schema and
# docs, cities, and the language switch. The health probes answer anyone (up/down only); /metrics answers only
# configured addresses, and the test client's 127.0.0.1 is one of them (smevoucher/ops/tests checks the refusal).
PUBLIC = re.compile(
    r"^/($|flow/|accounts/(login|logout|password-reset)|enterprises/signup/|notices/(\d+/|feed/|$)|help/($|guide/)"
    r"|directory/check|providers/register|providers/commitment-letter|catalogue/|i18n/|api/schema/|api/docs/"
    r"|orders/city-materials/[\w-]+/$|orders/city-materials/\d+/template/"
    r"|api/v1/(auth/token/|cities/|notices/|catalogue/|city-materials/|providers/commitment-letter|help-contacts/|"
    r"directory/check/)"
    r"|healthz$|readyz$|metrics$)"
)

PUBLIC_POST = {"/api/v1/enterprises/", "/api/v1/providers/"}  # sign-up and registration through the API


def concrete_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from concrete_paths(pattern, route)
        elif isinstance(pattern, URLPattern):
            path = re.sub(r"<int:\w+>", "1", route)
            path = re.sub(r"<(?:slug:|str:)?\w+>", "x", path)
            if "(?P" in path or path.startswith("admin/") or "^" in path:
                continue
            yield "/" + path


def test_no_page_or_endpoint_is_open_by_accident(client):
    open_paths = []
    for path in sorted(set(concrete_paths())):
        if PUBLIC.match(path):
            continue
        for method in ("get", "post"):
            if method == "post" and path in PUBLIC_POST:
                continue
            response = getattr(client, method)(path)
            refused = response.status_code in (401, 403, 404, 405) or (
                response.status_code == 302 and "/accounts/login/" in response.url
            )
            if not refused:
                open_paths.append(f"{method.upper()} {path} -> {response.status_code}")
    assert open_paths == []


def test_the_openapi_schema_builds_without_warnings(tmp_path):
    """Every endpoint is described (no guessed serializers, no clashing component or enum names)."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
