"""The API's JSON parser (a module of its own: DRF's settings import it while DRF's views are being loaded)."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit: a body nested thousands deep is a 400, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = exceptions.ParseError(_("The JSON body is nested too deeply."))
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _depth_exceeds(data, settings.API_MAX_JSON_DEPTH):
            raise too_deep
        return data


def _depth_exceeds(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False
