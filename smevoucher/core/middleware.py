import logging
import time

from django.conf import settings
from django.utils import translation

from . import request_context

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
        ip = request.META.get("REMOTE_ADDR")
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and request.META.get("HTTP_X_FORWARDED_FOR"):
            ip = request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
        request.request_id = request_context.new_request_id(request.headers.get("X-Request-ID"))
        token = request_context.set_client_ip(ip)
        id_token = request_context.set_request_id(request.request_id)
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
