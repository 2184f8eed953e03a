"""The address of the request being served, for the audit log, without passing the request into
services."""

from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def set_client_ip(ip: str | None):
    return _client_ip.set(ip)


def reset(token) -> None:
    _client_ip.reset(token)


def client_ip() -> str | None:
    return _client_ip.get()
