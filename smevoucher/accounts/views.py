from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from smevoucher.core import audit, traces
from smevoucher.core.ratelimits import limited

from . import otp, tokens
from .forms import OTPTokenForm


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name, or an address for every name, is locked after failed log-ins."""
    message = _(
        "Too many failed log-in attempts for this account or from your network address. Logging in is locked for "
        "a while; try again later or reset your password."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": message, "fields": {}}, status=403)
    return render(request, "accounts/locked_out.html", {"message": message}, status=403)


@method_decorator(limited("login"), name="post")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        traces.record(self.request.user, traces.LOG_IN)  # issue 17: where each side logs in from
        return response


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def otp_verify(request):
    """Second step of a staff log-in: a TOTP code; on the very first log-in, enrol the authenticator."""
    user = request.user
    if not user.requires_two_factor or user.is_verified():
        return redirect(_safe_next(request, reverse("workbench:home")))
    device = otp.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = otp.enrolment_device(user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.verify(device, form.cleaned_data["token"]):
            otp_login(request, device)
            audit.record(user, "accounts.otp_enrolled" if enrolling else "accounts.otp_verified", user)
            return redirect(_safe_next(request, reverse("workbench:home")))
        form.add_error("token", _("The code is wrong or has expired. Enter the current code from your app."))
    context = {"form": form, "enrolling": enrolling, "next": _safe_next(request, "")}
    if enrolling:
        context.update(qr_svg=otp.qr_svg(device), secret=otp.base32_secret(device))
    return render(request, "accounts/otp.html", context)


@login_required
def dashboard(request):
    """The old landing page: the workbench is every role's start now (issue 13)."""
    return redirect("workbench:home")


@login_required
def token_list(request):
    """The user's active API tokens, each revocable, and "log out everywhere"."""
    return render(request, "accounts/tokens.html", {"tokens": tokens.active_tokens(request.user)})


@login_required
@require_POST
def token_revoke(request, key: str):
    tokens.token_revoke(actor=request.user, token_key=key)
    messages.success(request, _("The API token has been revoked."))
    return redirect("accounts:tokens")


@login_required
@require_POST
def logout_everywhere(request):
    tokens.tokens_revoke_all(actor=request.user)
    logout(request)
    messages.success(request, _("You have been logged out, and every API token of your account has been revoked."))
    return redirect("accounts:login")


password_reset = limited("password_reset")(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
