"""The workbench page (工作台): the landing page after log-in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from smevoucher.core import access, clock
from smevoucher.providers.selectors import provider_of
from smevoucher.vouchers import selectors as vouchers
from smevoucher.vouchers.services import cap_usage_of

from .cards import cards_for_request


def _enterprise_summary(user, cards) -> dict | None:
    """The enterprise's wallet (usable now), its quota left this year and the next deadline of its to-dos."""
    enterprise = vouchers.enterprise_of(user)
    if enterprise is None:
        return None
    wallets = vouchers.wallets_of(enterprise)
    dues = [card.due for card in cards if card.count and card.due]
    return {
        "enterprise": enterprise,
        "usable_fen": sum(w.usable_fen for w in wallets),
        "escrow_fen": sum(w.escrow_fen for w in wallets),
        "quota_left_fen": vouchers.remaining_quota_fen(enterprise, clock.today().year),
        "year": clock.today().year,
        "next_due": min(dues) if dues else None,
    }


@login_required
def workbench(request):
    user = request.user
    kind = access.organisation_kind(user)
    cards = cards_for_request(request)
    provider = provider_of(user) if kind == access.PROVIDER else None
    # Until the unit approves the registration (R0, R4), say so first: most to-dos wait for it.
    organisation = getattr(user, "organisation", None)
    registration = getattr(organisation, "enterprise", None) if kind == access.ENTERPRISE else provider
    context = {
        "registration": registration if registration is not None and registration.status != "approved" else None,
        "registration_url": "enterprises:home" if kind == access.ENTERPRISE else "providers:home",
        # A card without a list for this role (the province and the cities' own decisions) stays in the API only.
        "cards": [card for card in cards if card.url],
        "kind": kind,
        "to_do": sum(card.count for card in cards if card.url),
        "summary": _enterprise_summary(user, cards) if kind == access.ENTERPRISE else None,
        "provider": provider,
        "gauge": cap_usage_of(provider.organisation_id) if provider else None,
        "now": clock.now(),
    }
    return render(request, "workbench/home.html", context)
