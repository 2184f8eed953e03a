from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from . import request_context
from .client_address import client_address


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
    """Makes the client's address available to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_context.set_client_ip(client_address(request))
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)


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
