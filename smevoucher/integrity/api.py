from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import HasPerm, IntegerField, list_filter_parameters

from . import selectors, services
from .forms import FlagFilterForm
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
        return self.context["order_ids"].get(flag.pk, [])


def flags_output(flags) -> list:
    """The flags as the API shows them, their orders' ids read for all of them in one query."""
    flags = list(flags)
    order_ids = selectors.order_ids_of_flags([flag.pk for flag in flags])
    return FlagOutput(flags, many=True, context={"order_ids": order_ids}).data


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class FlagListInput(serializers.Serializer):
    city = IntegerField(required=False)


class FlagListView(GenericAPIView):
    permission_classes = [HasPerm.of("integrity.list_flags")]
    serializer_class = FlagOutput

    @extend_schema(
        parameters=[
            *list_filter_parameters("Flag number, enterprise or provider.", RiskFlag.Status.choices),
            OpenApiParameter("kind", str, description="A signal's code, as `kind` in the rows (e.g. split_orders)."),
            OpenApiParameter("city", int),
        ],
        responses=FlagOutput(many=True),
    )
    def get(self, request):
        """Risk flags the unit may see (a city unit: its city; the province unit: all), newest first, a page at a
        time, searched and filtered as the flag list page."""
        filters = FlagFilterForm(request.query_params)
        city = FlagListInput(data=request.query_params)
        if not all([filters.is_valid(), city.is_valid()]):
            fields = {name: list(errors) for name, errors in filters.errors.items()}
            raise serializers.ValidationError({**fields, **city.errors})
        # The serializer reads ids only: no related rows (the flags' orders: flags_output).
        flags = filters.apply_to(selectors.flags_visible_to(request.user).select_related(None))
        if "city" in city.validated_data:
            flags = flags.filter(city_id=city.validated_data["city"])
        page = self.paginate_queryset(flags)
        return self.get_paginated_response(flags_output(page))


class FlagDecisionView(APIView):
    decision = "clear"

    @extend_schema(request=DecisionInput, responses=FlagOutput)
    def post(self, request, pk: int):
        """Clear or confirm an open flag with a reason (the flag's city unit)."""
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decide = services.flag_clear if self.decision == "clear" else services.flag_confirm
        flag = decide(actor=request.user, flag_id=pk, reason=data.validated_data["reason"])
        return Response(flags_output([flag])[0])
