"""API tokens (django-rest-knox, model accounts.ApiToken): issued per client with a lifetime, listed and
revoked by their owner, all revoked at once by "log out everywhere" and by a new password (models.User.save).
The token's public id is knox's token_key (its first characters, used to find it; the rest is never stored).

Authentication reads a token from the cache (Redis in production) instead of the database on every request: the
entry holds the token row with its user and is found by the token key, then checked as knox checks the row (the
digest of the whole token, the expiry, an active user). Revocation is immediate: deleting a token deletes its
entry (and again once the deletion commits, for a request that read the row just before), and saving a user drops
the entries of all its tokens, so a deactivated user or a new password takes effect at once. Entries live at most
API_TOKEN_CACHE_SECONDS, and never past the token's expiry."""

import binascii
import hashlib
from datetime import timedelta
from hmac import compare_digest

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS

from smevoucher.core import audit, traces
from smevoucher.core.errors import Conflict

from .models import ApiToken, User

DEFAULT_CLIENT = "api"


def token_lifetime(user) -> timedelta:
    """Handling-unit staff and administrators (who log in with TOTP) get the shorter lifetime."""
    return settings.API_TOKEN_TTL_STAFF if user.requires_two_factor else settings.API_TOKEN_TTL


def active_tokens(user):
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def token_issue(*, user, client: str = "") -> tuple[ApiToken, str]:
    """A new token for one client of the user; the secret is returned once and only its hash is kept."""
    client = " ".join((client or "").split())[:100] or DEFAULT_CLIENT
    User.objects.select_for_update().filter(pk=user.pk).first()  # one issue at a time per user: the limit holds
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    if active_tokens(user).count() >= settings.API_TOKENS_PER_USER:
        raise Conflict(
            _("This account already has %(count)d active API tokens. Revoke one it no longer needs first.")
            % {"count": settings.API_TOKENS_PER_USER},
            code="too_many_tokens",
        )
    token, secret = ApiToken.objects.create(user=user, expiry=token_lifetime(user), client=client)
    audit.record(user, "accounts.token_issued", user, after={"client": client, "token": token.token_key})
    traces.record(user, traces.LOG_IN)  # issue 17: an API log-in is traced like a page log-in
    return token, secret


def token_revoke(*, actor, token_key: str) -> None:
    """Revoke one of the actor's own tokens; another user's token is "not found"."""
    deleted, _rows = ApiToken.objects.filter(user=actor, token_key=token_key).delete()
    if not deleted:
        raise Http404
    audit.record(actor, "accounts.token_revoked", actor, after={"token": token_key})


def tokens_revoke_all(*, actor) -> int:
    deleted, _rows = ApiToken.objects.filter(user=actor).delete()
    audit.record(actor, "accounts.tokens_revoked_all", actor, after={"count": deleted})
    return deleted


def _cache_key(token_key: str) -> str:
    return "apitoken:" + hashlib.sha256(token_key.encode()).hexdigest()


def forget(token_keys) -> None:
    """Drop the cached entries of these tokens now and once the current transaction commits."""
    keys = [_cache_key(k) for k in token_keys]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def forget_user(user) -> None:
    forget(ApiToken.objects.filter(user=user).values_list("token_key", flat=True))


class CachedTokenAuthentication(TokenAuthentication):
    """knox's token authentication with the token row (and its user) cached: no database query per request."""

    def authenticate_credentials(self, token: bytes):
        text = token.decode("utf-8", errors="replace")
        key = _cache_key(text[: CONSTANTS.TOKEN_KEY_LENGTH])
        cached = cache.get(key)
        if cached is not None and (cached.expiry is None or cached.expiry > timezone.now()):
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                digest = ""  # not a token at all: knox's own check below answers it
            if digest and compare_digest(digest, cached.digest):
                return self.validate_user(cached)
        user, auth_token = super().authenticate_credentials(token)
        timeout = settings.API_TOKEN_CACHE_SECONDS
        if auth_token.expiry is not None:
            timeout = min(timeout, int((auth_token.expiry - timezone.now()).total_seconds()))
        if timeout > 0:
            cache.add(key, auth_token, timeout=timeout)  # add: never over an entry written meanwhile
        return user, auth_token


class CachedTokenScheme(KnoxTokenScheme):
    """The OpenAPI schema describes it as knox's token header, as before."""

    target_class = "smevoucher.accounts.tokens.CachedTokenAuthentication"
