"""What the audit log and the logs need to know about the request being served (the client's address and the
request id), without passing the request into services."""

import logging
import re
import uuid
from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
_request_id: ContextVar[str] = ContextVar("request_id", default="")
_user_agent: ContextVar[str] = ContextVar("user_agent", default="")

# nginx sends its $request_id (32 hex digits) as X-Request-ID; anything else a client sends is replaced.
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def set_client_ip(ip: str | None):
    return _client_ip.set(ip)


def reset(token) -> None:
    _client_ip.reset(token)


def client_ip() -> str | None:
    return _client_ip.get()


def new_request_id(offered: str | None = None) -> str:
    """The proxy's id when it is a plausible one, so nginx's access log and ours share it; a fresh one otherwise."""
    return offered if offered and _VALID_ID.match(offered) else uuid.uuid4().hex


def set_request_id(request_id: str):
    return _request_id.set(request_id)


def reset_request_id(token) -> None:
    _request_id.reset(token)


def request_id() -> str:
    return _request_id.get()


def set_user_agent(user_agent: str):
    return _user_agent.set(user_agent or "")


def reset_user_agent(token) -> None:
    _user_agent.reset(token)


def user_agent() -> str:
    """The browser's User-Agent header of the request being served (the action traces keep only its hash)."""
    return _user_agent.get()


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record ("-" outside a request). Django logs a refused request's status after
    the middleware has finished, with the request attached: its id is taken from there."""

    def filter(self, record):
        request = getattr(record, "request", None)
        record.request_id = _request_id.get() or getattr(request, "request_id", "") or "-"
        return True
