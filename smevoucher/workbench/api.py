from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import IntegerField

from .cards import COUNT_LIMIT, cards_for_request


class CardSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code of the to-do, e.g. order_to_confirm")
    count = IntegerField(
        help_text=f"Rows in the linked list, counted up to {COUNT_LIMIT}: exact below, {COUNT_LIMIT} means at least"
    )
    more = serializers.BooleanField(
        help_text=f"The list may have more rows than counted (the page shows {COUNT_LIMIT - 1}+)"
    )
    due = serializers.DateTimeField(allow_null=True, help_text="Nearest deadline among them, or null")
    url = serializers.CharField(allow_null=True, help_text="The filtered list (null: no list for this role)")


class WorkbenchView(APIView):
    """The caller's to-do cards: the same ones as the workbench page, in its order."""

    @extend_schema(responses=CardSerializer(many=True))
    def get(self, request):
        return Response(CardSerializer(cards_for_request(request._request), many=True).data)
