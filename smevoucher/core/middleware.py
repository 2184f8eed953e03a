import logging
import re
import time

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import request_context
from .client_address import client_address

request_log = logging.getLogger("smevoucher.request")


class LanguageMiddleware:
    """Chinese unless the user chose otherwise. Pages follow the language cookie only (a government
    site does not switch to English because a browser says so); API clients may also ask with
    Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = {code for code, _ in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported and request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestContextMiddleware:
    """Makes the client's address and the request id available to the audit log and the logs; the id goes back
    in the X-Request-ID header (and on the error page), and one log line per request carries it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_context.new_request_id(request.headers.get("X-Request-ID"))
        token = request_context.set_client_ip(client_address(request))
        id_token = request_context.set_request_id(request.request_id)
        agent_token = request_context.set_user_agent(request.headers.get("User-Agent", "")[:500])
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request.request_id
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={"status": response.status_code, "duration_ms": round((time.monotonic() - started) * 1000)},
            )
            return response
        finally:
            request_context.reset(token)
            request_context.reset_request_id(id_token)
            request_context.reset_user_agent(agent_token)


class NoStoreMiddleware:
    """Pages seen by a logged-in user and every API answer are never stored by a browser or a proxy
    (a shared computer's back button or cache must not show someone's data); public pages stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


NUL_IN_JSON = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00")


class RefuseNulMiddleware:
    """No field of ours may hold a NUL character (PostgreSQL text cannot store it, and no form needs it): a request
    carrying one in its query string, form fields or JSON body is refused with a 400 before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            carries_nul = self._carries_nul(request)
        except MultiPartParserError:
            return bad_request(request, _("The uploaded form data could not be read."))
        if carries_nul:
            return bad_request(request, _("The request contains a NUL character, which no field accepts."))
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if "\x00" in request.path or _has_nul(request.GET):
            return True
        if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
            return False
        content_type = request.content_type or ""
        if content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
            return _has_nul(request.POST) or any("\x00" in (f.name or "") for f in request.FILES.values())
        if content_type.endswith("json"):
            return bool(NUL_IN_JSON.search(request.body))
        return False


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def bad_request(request, message, *, fields: dict | None = None, code: str = "bad_request"):
    """A 400 in the user's language: the API's {"code", "message", "fields"} body, or a page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": str(message), "fields": fields or {}}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
