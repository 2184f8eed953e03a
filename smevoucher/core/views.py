from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from . import flow, middleware, request_context


def home(request):
    return render(request, "core/home.html", {"steps": flow.steps()})


def flow_chart(request):
    return render(request, "core/flow.html", {"steps": flow.steps()})


def not_found(request, exception=None):
    """handler404: an unknown API path (e.g. /api/v1/batches/abc/) answers in the API's error format."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("Not found."), "fields": {}}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """handler400 (a request Django itself refuses, e.g. a body over the size limit): the API's error format under
    /api/, a Chinese page elsewhere."""
    return middleware.bad_request(
        request, _("The request could not be understood. Check what you entered and try again.")
    )


@requires_csrf_token
def server_error(request):
    """The 500 page shows the request id, so a user's report leads straight to the log lines and audit rows of
    that request. Rendered without the request's context processors: they may be what failed."""
    request_id = request_context.request_id() or getattr(request, "request_id", "")
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:
        body = format_html(
            "<!doctype html><html lang='zh-hans'><head><meta charset='utf-8'><title>服务器错误</title></head>"
            "<body><h1>服务器错误（500）</h1><p>请稍后再试。如需报告问题，请提供请求编号：<code>{}</code></p>"
            "</body></html>",
            request_id,
        )
    response = HttpResponseServerError(body)
    response.headers["X-Request-ID"] = request_id
    return response
