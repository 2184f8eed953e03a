"""Issue 15: every page action exists in /api/v1/. Walks the URLconf for HTML views that accept POST and checks
each is named in core/api_counterparts.py with API url names that exist."""

import ast
import inspect
import textwrap

from django.urls import URLPattern, URLResolver, get_resolver

from smevoucher.core.api_counterparts import API_COUNTERPARTS, NO_API

POST_MARKERS = ("request.POST", '"POST"', "require_POST", "request.method")


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name, pattern.callback


def _function_accepts_post(function, seen: set) -> bool:
    """A function view accepts POST if it (or a helper of its module it calls) reads POST or checks the method."""
    function = inspect.unwrap(function)
    if function in seen:
        return False
    seen.add(function)
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return False
    if any(marker in source for marker in POST_MARKERS):
        return True
    module_globals = getattr(function, "__globals__", {})
    calls = (node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call))
    called = {call.func.id for call in calls if isinstance(call.func, ast.Name)}
    return any(
        inspect.isfunction(module_globals.get(name))
        and module_globals[name].__module__ == function.__module__
        and _function_accepts_post(module_globals[name], seen)
        for name in called
    )


def _accepts_post(callback) -> bool:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in getattr(view_class, "http_method_names", ["post"])
    return _function_accepts_post(callback, set())


def _html_post_views() -> dict[str, str]:
    return {
        name: route
        for route, name, callback in _walk(get_resolver().url_patterns)
        if not route.startswith(("api/", "admin/")) and name and _accepts_post(callback)
    }


def _api_names() -> set[str]:
    return {name for route, name, _cb in _walk(get_resolver().url_patterns) if route.startswith("api/v1/")}


def test_the_walk_finds_post_views_behind_helpers():
    views = _html_post_views()
    # batch_create posts through a module helper (_batch_form_view); withdraw is decorated with require_POST.
    assert {"vouchers:batch_create", "vouchers:batch_edit", "notices:withdraw", "vouchers:policy"} <= set(views)
    assert "notices:help" not in views and "core:home" not in views


def test_every_html_post_view_has_an_api_counterpart():
    missing = sorted(
        f"{name} ({route})"
        for name, route in _html_post_views().items()
        if name not in API_COUNTERPARTS and name not in NO_API
    )
    assert not missing, "HTML POST views without an API counterpart in core/api_counterparts.py: " + ", ".join(missing)


def test_every_counterpart_named_exists_in_the_api():
    api = _api_names()
    unknown = sorted(
        f"{page} → {name}"
        for page, names in API_COUNTERPARTS.items()
        for name in ((names,) if isinstance(names, str) else names)
        if name not in api
    )
    assert not unknown, unknown


def test_the_mapping_names_only_views_that_exist():
    pages = {name for _route, name, _cb in _walk(get_resolver().url_patterns) if name}
    stale = sorted((set(API_COUNTERPARTS) | set(NO_API)) - pages)
    assert not stale, stale
