"""REST API for city systems (the issue's point 6): `reports/summary/`, `reports/claims-over-time/`,
`reports/providers/` and `reports/refresh/`. Scoped exactly like /reports/ (the same selectors): a city unit that
asks for another city or another city's batch gets 404. Amounts are integer fen."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core import api as core_api
from smevoucher.core.api import HasPerm
from smevoucher.core.replica import read_replica

from . import selectors

MAX_ID = 2**63 - 1
PAGE_SIZE = 100


class ReportFilterInput(serializers.Serializer):
    year = core_api.IntegerField(required=False, min_value=2000, max_value=2100)
    city = core_api.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    batch = core_api.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ProvidersFilterInput(ReportFilterInput):
    page = core_api.IntegerField(required=False, min_value=1, max_value=100_000, default=1)


class StageOutput(serializers.Serializer):
    fen = core_api.IntegerField()
    count = core_api.IntegerField()


class StagesOutput(serializers.Serializer):
    issued = StageOutput()
    claimed = StageOutput()
    allocated = StageOutput()
    ordered = StageOutput()
    received = StageOutput()
    redeemed = StageOutput()
    reclaimed = StageOutput()
    pool = StageOutput()
    wallets = StageOutput()


class CityStagesOutput(serializers.Serializer):
    city = core_api.IntegerField()
    city_name = serializers.CharField()
    stages = StagesOutput()


class RiskOutput(serializers.Serializer):
    expiring = StageOutput()
    contracts_due = StageOutput()
    payments_waiting = StageOutput()
    redemptions_waiting = StageOutput()


class SummaryOutput(serializers.Serializer):
    year = core_api.IntegerField()
    city = core_api.IntegerField(allow_null=True)
    batch = core_api.IntegerField(allow_null=True)
    as_of = serializers.DateTimeField(allow_null=True)
    stages = StagesOutput()
    per_city = CityStagesOutput(many=True)
    risk = RiskOutput()


class MinuteOutput(serializers.Serializer):
    minute = serializers.CharField(help_text="HH:MM local time on the opening day")
    claims = core_api.IntegerField()
    fen = core_api.IntegerField()


class DayOutput(serializers.Serializer):
    day = serializers.DateField()
    claims = core_api.IntegerField()
    fen = core_api.IntegerField()


class ClaimsOverTimeOutput(serializers.Serializer):
    year = core_api.IntegerField()
    batch = core_api.IntegerField(allow_null=True)
    as_of = serializers.DateTimeField(allow_null=True)
    opening_day = serializers.CharField(allow_blank=True)
    per_minute = MinuteOutput(many=True)
    per_day = DayOutput(many=True)


class CapRowOutput(serializers.Serializer):
    provider = core_api.IntegerField(source="provider_id", help_text="the provider's organisation id")
    provider_name = serializers.CharField(source="provider")
    city = core_api.IntegerField(source="city.pk")
    cap_fen = core_api.IntegerField()
    reserved_fen = core_api.IntegerField()
    received_fen = core_api.IntegerField()
    share_bp = core_api.IntegerField(help_text="share of the cap used, in basis points")
    near_cap = serializers.BooleanField(help_text="above 80 % of the cap")


class ProvidersOutput(serializers.Serializer):
    year = core_api.IntegerField()
    city = core_api.IntegerField(allow_null=True)
    count = core_api.IntegerField()
    near_cap = core_api.IntegerField()
    page = core_api.IntegerField()
    next_page = core_api.IntegerField(allow_null=True)
    results = CapRowOutput(many=True)


def _scope(request, input_class=ReportFilterInput):
    params = input_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    scope = selectors.scope_for(
        request.user, year=data.get("year"), city_id=data.get("city"), batch_id=data.get("batch")
    )
    return scope, data


def _summary_data(scope) -> dict:
    figures = selectors.summary(scope)
    return {
        "year": scope.year,
        "city": scope.city.pk if scope.city else None,
        "batch": scope.batch.pk if scope.batch else None,
        "as_of": figures["as_of"],
        "stages": figures["stages"],
        "per_city": [
            {"city": e["city"].pk, "city_name": e["city"].name, "stages": e["stages"]} for e in figures["per_city"]
        ],
        "risk": selectors.risk(scope, figures),
    }


class ReportPermission:
    permission_classes = [HasPerm.of("reporting.view_dashboard")]


class SummaryView(ReportPermission, APIView):
    @extend_schema(
        parameters=[ReportFilterInput],
        responses=SummaryOutput,
        description="The batch funnel (fen and counts) of the year, city and batch, from the voucher ledger, as of "
        "the last refresh.",
    )
    @read_replica()
    def get(self, request):
        scope, _data = _scope(request)
        return Response(SummaryOutput(_summary_data(scope)).data)


class RefreshView(ReportPermission, APIView):
    @extend_schema(
        parameters=[ReportFilterInput],
        request=None,
        responses=SummaryOutput,
        description="Recompute the scope's figures from the ledger now and return the summary.",
    )
    def post(self, request):
        scope, _data = _scope(request)
        selectors.figures_refresh_for(scope)
        return Response(SummaryOutput(_summary_data(scope)).data)


class ClaimsOverTimeView(ReportPermission, APIView):
    @extend_schema(
        parameters=[ReportFilterInput],
        responses=ClaimsOverTimeOutput,
        description="Claims per minute on the batch's opening day and per day over the window(s).",
    )
    @read_replica()
    def get(self, request):
        scope, _data = _scope(request)
        figures = selectors.claims_over_time(scope)
        data = {"year": scope.year, "batch": scope.batch.pk if scope.batch else None, **figures}
        return Response(ClaimsOverTimeOutput(data).data)


class ProvidersView(ReportPermission, APIView):
    @extend_schema(
        parameters=[ProvidersFilterInput],
        responses=ProvidersOutput,
        description=f"Providers' cap usage (R7) per issuing city of the year, highest share first, {PAGE_SIZE} a page.",
    )
    @read_replica()
    def get(self, request):
        scope, data = _scope(request, ProvidersFilterInput)
        page = data["page"]
        usage = selectors.cap_usage(scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        more = page * PAGE_SIZE < usage["providers"]
        body = {
            "year": scope.year,
            "city": scope.city.pk if scope.city else None,
            "count": usage["providers"],
            "near_cap": usage["near_cap"],
            "page": page,
            "next_page": page + 1 if more else None,
            "results": usage["rows"],
        }
        return Response(ProvidersOutput(body).data)
