"""API plumbing shared by every app: the error format {"code", "message", "fields"} and the DRF
permission class that asks the permission layer."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .ratelimits import Ratelimited
from .ratelimits import message as rate_limited_message


def error_response(code: str, message, http_status: int, fields: dict | None = None) -> Response:
    return Response({"code": code, "message": force_str(message), "fields": fields or {}}, status=http_status)


def _flatten(detail):
    if isinstance(detail, list):
        return [force_str(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return [force_str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.status, exc.fields)
    if isinstance(exc, Ratelimited):
        return error_response("rate_limited", rate_limited_message(), status.HTTP_429_TOO_MANY_REQUESTS)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return error_response("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": _flatten(exc.detail)}
        response.data = {"code": "validation_error", "message": _("Some fields are not valid."), "fields": fields}
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": code if isinstance(code, str) else "error",
            "message": force_str(getattr(exc, "detail", exc)),
            "fields": {},
        }
    return response


class HasPerm(BasePermission):
    """`permission_classes = [HasPerm.of("app.perm")]`: a view-level permission from the rules layer."""

    perm = ""

    @classmethod
    def of(cls, perm: str):
        return type(f"HasPerm_{perm}", (cls,), {"perm": perm})

    def has_permission(self, request, view):
        return request.user.has_perm(self.perm)
