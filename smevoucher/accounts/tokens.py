"""API tokens (django-rest-knox, model accounts.ApiToken): issued per client with a lifetime, listed and
revoked by their owner, all revoked at once by "log out everywhere" and by a new password (models.User.save).
The token's public id is knox's token_key (its first characters, used to find it; the rest is never stored)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from smevoucher.core import audit
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
