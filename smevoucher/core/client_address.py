"""The one place that decides a request's client address (audit log, log-in lock-out, rate limits).

Without `BEHIND_TLS_PROXY` the address is the TCP peer (REMOTE_ADDR) and X-Forwarded-For is ignored, so a
forged header cannot choose whose address gets counted or locked. Behind the proxy the README describes,
the proxy appends the peer it saw to X-Forwarded-For; with `TRUSTED_PROXY_COUNT` proxies in front of us
the client is the entry that many places from the right (entries further left are whatever the client
sent). With `TRUSTED_PROXIES` set, the header is believed only when the peer is one of those addresses.
"""

import ipaddress

from django.conf import settings


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _peer_is_trusted(peer: str | None) -> bool:
    networks = getattr(settings, "TRUSTED_PROXIES", [])
    if not networks:
        return True
    if peer is None:
        return False
    address = ipaddress.ip_address(peer)
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def client_address(request) -> str | None:
    peer = _valid(request.META.get("REMOTE_ADDR", ""))
    if not getattr(settings, "BEHIND_TLS_PROXY", False) or not _peer_is_trusted(peer):
        return peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    count = max(1, int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)))
    if len(hops) < count:
        return peer  # the header did not pass through every trusted proxy: do not believe it
    return _valid(hops[-count]) or peer
