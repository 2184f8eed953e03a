from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import HasPerm, IntegerField

from . import selectors, services
from .models import RiskFlag


class FlagOutput(serializers.ModelSerializer):
    id = IntegerField(read_only=True)
    city = IntegerField(source="city_id", read_only=True)
    order = IntegerField(source="order_id", read_only=True, allow_null=True)
    provider = IntegerField(source="provider_id", read_only=True, allow_null=True)
    enterprise = IntegerField(source="enterprise_id", read_only=True, allow_null=True)
    orders = serializers.SerializerMethodField()
    explanation = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = RiskFlag
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "city",
            "order",
            "provider",
            "enterprise",
            "orders",
            "evidence",
            "explanation",
            "found_at",
            "decided_at",
            "decision_reason",
        ]

    def get_orders(self, flag) -> list[int]:
        return [order.pk for order in flag.orders.all()]


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class FlagListView(APIView):
    permission_classes = [HasPerm.of("integrity.list_flags")]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str, enum=RiskFlag.Status.values),
            OpenApiParameter("city", int),
        ],
        responses=FlagOutput(many=True),
    )
    def get(self, request):
        """Risk flags the unit may see (a city unit: its city; the province unit: all), newest first, 200 at most."""
        flags = selectors.flags_visible_to(request.user).prefetch_related("orders")
        if request.query_params.get("kind"):
            flags = flags.filter(kind=request.query_params["kind"])
        if request.query_params.get("status"):
            flags = flags.filter(status=request.query_params["status"])
        city = request.query_params.get("city", "")
        if city:
            flags = flags.filter(city_id=int(city)) if city.isdigit() else flags.none()
        return Response(FlagOutput(flags[:200], many=True).data)


class FlagDecisionView(APIView):
    decision = "clear"

    @extend_schema(request=DecisionInput, responses=FlagOutput)
    def post(self, request, pk: int):
        """Clear or confirm an open flag with a reason (the flag's city unit)."""
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decide = services.flag_clear if self.decision == "clear" else services.flag_confirm
        flag = decide(actor=request.user, flag_id=pk, reason=data.validated_data["reason"])
        return Response(FlagOutput(flag).data)
