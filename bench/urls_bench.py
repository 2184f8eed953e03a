"""The project's URLs plus /bench/bare-claim/<batch>/: the same claim row inserted with nothing else (no rules,
no lock, no audit), through the same DRF stack (authentication, parsing, exception handler)."""

from django.urls import path
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core import clock
from smevoucher.urls import urlpatterns as project_urlpatterns
from smevoucher.vouchers.models import Claim


class BareInput(serializers.Serializer):
    enterprise_id = serializers.IntegerField()
    amount_fen = serializers.IntegerField(min_value=1)


class BareClaimView(APIView):
    def post(self, request, batch_id: int):
        data = BareInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = Claim.objects.create(
            batch_id=batch_id,
            enterprise_id=data.validated_data["enterprise_id"],
            year=clock.today().year,
            amount_fen=data.validated_data["amount_fen"],
            quota_fen=data.validated_data["amount_fen"],
            submitted_at=clock.now(),
            submitted_by=request.user,
        )
        return Response({"id": claim.pk}, status=status.HTTP_201_CREATED)


urlpatterns = [*project_urlpatterns, path("bench/bare-claim/<int:batch_id>/", BareClaimView.as_view())]
