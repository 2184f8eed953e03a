from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class TwoFactorRequiredMiddleware:
    """Handling-unit staff who logged in with a password reach nothing but the TOTP step until they
    have given a valid code (django-otp marks the session verified)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.requires_two_factor and not user.is_verified():
            allowed = {reverse("accounts:otp"), reverse("accounts:logout"), reverse("set_language")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "otp_required", "message": _("Enter your one-time code to continue."), "fields": {}},
                        status=403,
                    )
                return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
