from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import City, Organisation, User


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["id", "code", "name", "name_en"]


class OrganisationSerializer(serializers.ModelSerializer):
    city = CitySerializer(read_only=True, allow_null=True)  # the province unit has no city

    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "city"]


class MeSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True, allow_null=True)  # site administrators have none

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "organisation"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("User name"))
    password = serializers.CharField(label=_("Password"), style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(label=_("One-time code"), required=False, allow_blank=True)
    client = serializers.CharField(
        label=_("Client"), max_length=100, required=False, allow_blank=True, help_text=_("What the token is for.")
    )


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The token's public id (its first characters), for revoking it.")
    client = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.BooleanField()


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only this once.")
    id = serializers.CharField()
    client = serializers.CharField()
    expiry = serializers.DateTimeField()
