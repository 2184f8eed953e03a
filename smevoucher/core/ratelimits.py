"""Per-address rate limits for the doors anyone may knock on (sign-up, log-in, password reset, API token),
counted in the default cache (Redis when REDIS_URL is set). `@limited("login")` on a view function,
`@method_decorator(limited("token"), name="post")` on a class; the rates are settings.RATE_LIMITS.

A refused request raises django-ratelimit's `Ratelimited`: pages get the 429 page of `rate_limited` (through
RatelimitMiddleware), the API the {"code": "rate_limited", ...} answer of core.api.exception_handler.
django_ratelimit is deliberately not an installed app: its system check calls Django's own RedisCache
"unsupported" and locmem an error, though both increment atomically within what they serve.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from .client_address import client_address

__all__ = ["Ratelimited", "limited", "message", "rate_limited"]


def _address(group, request) -> str:
    return client_address(request) or "unknown"


def _rate(group, request) -> str:
    return settings.RATE_LIMITS[group]


def limited(group: str):
    return ratelimit(group=group, key=_address, rate=_rate, method="POST", block=True)


def message() -> str:
    return _("Too many requests from your network address. Wait a while and try again.")


def rate_limited(request, exception=None):
    """RATELIMIT_VIEW: the answer to a page request over its limit."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "rate_limited", "message": message(), "fields": {}}, status=429)
    return render(request, "core/rate_limited.html", {"message": message()}, status=429)
