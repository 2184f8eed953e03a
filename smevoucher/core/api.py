"""API plumbing shared by every app: the error format {"code", "message", "fields"} (also in the schema), the DRF
permission class that asks the permission layer, and the integer fields every serializer uses."""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .lists import MAX_PAGES, BoundedPaginator, ListFilterForm
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


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_FEN = 10**15 - 1  # ¥9,999,999,999,999.99: the largest amount money.parse_hundredths reads
ASCII_INTEGER = re.compile(r"\s*[+-]?[0-9]+(?:\.0*)?\s*")


class IntegerField(serializers.IntegerField):
    """Every integer the API reads (amounts in fen, ids, counts): ASCII digits only (Python's int() would also
    read "１２３" or "1_000") and within a 64-bit column, so an out-of-range number is a 400, not a database
    error. The bounds appear in the OpenAPI schema. Amounts (`*_fen`) must come through this field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", INT64_MIN)
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not ASCII_INTEGER.fullmatch(data)):
            self.fail("invalid")
        return super().to_internal_value(data)


class FenField(IntegerField):
    """An amount in fen (`*_fen`): ASCII digits, not negative, and at most what a form accepts (13 digits of
    yuan), so sums of many amounts still fit a 64-bit column."""

    default_error_messages = {"max_value": gettext_lazy("The amount is too large.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_FEN)
        super().__init__(**kwargs)


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal: a stable code, a message in the user's language, and messages per field.",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True},
    },
    "required": ["code", "message", "fields"],
}
ERROR_STATUSES = {
    "400": "Invalid input (or a rule refused it).",
    "401": "No or invalid credentials.",
    "403": "Not allowed for this account.",
    "404": "Not found, or not yours.",
    "409": "Not possible in the object's current state.",
    "429": "Too many requests.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation may answer with the error body above, so the schema
    says so (clients and the schema-conformance test rely on it)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result


class BoundedPagination(PageNumberPagination):
    """Every list endpoint's pages (issue 16): `count` stops at `MAX_PAGES` pages of rows and `more` says that rows
    lie beyond them (narrow the query to reach them); see core.lists."""

    django_paginator_class = BoundedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["more"] = self.page.paginator.more
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = f"Rows counted, at most {MAX_PAGES} pages' worth."
        schema["properties"]["more"] = {"type": "boolean", "description": "More rows than counted: narrow the query."}
        schema["required"] = [*schema.get("required", []), "more"]
        return schema


def list_filters(request, statuses=None) -> ListFilterForm:
    """A list endpoint's `q` (and `status`, when the list page offers statuses): the list page's own filter form
    (core.lists), so the API searches the same columns; a value the page would refuse is a 400."""
    data = QueryDict(mutable=True)
    data.setlist("q", request.query_params.getlist("q"))
    if statuses is not None:
        data.setlist("status", request.query_params.getlist("status"))
    filters = ListFilterForm(data, statuses=statuses or ())
    if not filters.is_valid():
        raise serializers.ValidationError({name: list(errors) for name, errors in filters.errors.items()})
    return filters


def list_filter_parameters(search: str, statuses=None) -> list[OpenApiParameter]:
    """The schema of `list_filters`' parameters: search, what the search box finds."""
    parameters = [OpenApiParameter("q", str, description=search)]
    if statuses is not None:
        parameters.append(OpenApiParameter("status", str, enum=[value for value, _label in statuses], many=True))
    return parameters
