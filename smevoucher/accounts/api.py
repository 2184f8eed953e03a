from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.errors import DomainError

from . import otp
from .models import City
from .serializers import CitySerializer, MeSerializer, TokenRequestSerializer


class TokenView(APIView):
    """Exchange user name and password (and, for handling-unit staff, a TOTP code) for an API token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise DomainError(_("User name or password is wrong."), code="invalid_credentials")
        if user.requires_two_factor:
            device = otp.confirmed_device(user)
            if device is None or not otp.verify(device, data.validated_data.get("otp_token", "")):
                raise DomainError(_("A valid one-time code is required for this account."), code="otp_required")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class CityListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CitySerializer(many=True))
    def get(self, request):
        return Response(CitySerializer(City.objects.all(), many=True).data)
