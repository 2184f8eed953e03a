from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from . import flow, middleware


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
