from django.contrib.auth import authenticate, logout
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.errors import DomainError
from smevoucher.core.ratelimits import limited

from . import otp, tokens
from .models import ApiToken, City
from .serializers import ApiTokenSerializer, CitySerializer, IssuedTokenSerializer, MeSerializer, TokenRequestSerializer


@method_decorator(limited("token"), name="post")
class TokenView(APIView):
    """Exchange user name and password (and, for handling-unit staff, a TOTP code) for an API token of one
    client (`client`, e.g. "ERP export"); it expires (`expiry`) and is revoked by `auth/logout/`."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenRequestSerializer, responses=IssuedTokenSerializer)
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
        token, secret = tokens.token_issue(user=user, client=data.validated_data.get("client", ""))
        return Response(IssuedTokenSerializer({"token": secret, "id": token.token_key, **vars(token)}).data)


class TokenListView(APIView):
    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        """The caller's active API tokens (never their secrets); `current` marks the one making this call."""
        current = request.auth.token_key if isinstance(request.auth, ApiToken) else None
        rows = [
            {**vars(token), "id": token.token_key, "current": token.token_key == current}
            for token in tokens.active_tokens(request.user)
        ]
        return Response(ApiTokenSerializer(rows, many=True).data)


class TokenDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, key: str):
        """Revoke one of the caller's API tokens."""
        tokens.token_revoke(actor=request.user, token_key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke the token this call is made with (or end the session of a browser call)."""
        if isinstance(request.auth, ApiToken):
            tokens.token_revoke(actor=request.user, token_key=request.auth.token_key)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Log out everywhere: revoke every API token of the caller (and end this session)."""
        tokens.tokens_revoke_all(actor=request.user)
        if not isinstance(request.auth, ApiToken):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class CityListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CitySerializer(many=True))
    def get(self, request):
        return Response(CitySerializer(City.objects.all(), many=True).data)
