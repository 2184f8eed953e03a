from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core import access
from smevoucher.core.errors import Conflict, DomainError, ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.core.ratelimits import limited
from smevoucher.documents.selectors import findings_for

from . import selectors, services
from .forms import (
    ChangeDecisionForm,
    ChangeRequestForm,
    PriorityTagsForm,
    ReinstateForm,
    ResubmitForm,
    ReturnForm,
    SignUpForm,
    SuspendForm,
)
from .models import REVIEW_ORDER, Enterprise, EnterpriseChangeRequest


@limited("signup")
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignUpForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_sign_up(**form.service_arguments())
        except ValidationFailed as exc:
            add_domain_errors(form, exc, rename={"password": "password1"})
        else:
            user = enterprise.organisation.users.get()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your enterprise is registered. Its city unit will review it."))
            return redirect("enterprises:home")
    return render(request, "enterprises/sign_up.html", {"form": form})


@login_required
def home(request):
    enterprise = selectors.enterprise_of(request.user)
    if enterprise is None:
        return redirect("accounts:dashboard")
    form = None
    if enterprise.status in (Enterprise.Status.PENDING, Enterprise.Status.RETURNED) and request.user.has_perm(
        "enterprises.change_enterprise", enterprise
    ):
        initial = {field: getattr(enterprise, field, "") for field in services.RESUBMIT_FIELDS}
        form = ResubmitForm(request.POST or None, request.FILES or None, initial=initial, actor=request.user)
        if request.method == "POST" and form.is_valid_keeping_materials():
            try:
                services.enterprise_resubmit(
                    actor=request.user, enterprise_id=enterprise.pk, **form.service_arguments()
                )
            except ValidationFailed as exc:
                for field, problems in exc.fields.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Submitted. Your city unit will review the enterprise."))
                return redirect("enterprises:home")
    unit = services.city_unit_of(enterprise) if enterprise.status == Enterprise.Status.SUSPENDED else None
    context = {"enterprise": enterprise, "form": form, "unit": unit, **_changes_context(request.user, enterprise)}
    context["can_request_change"] = _may_request_change(request.user, enterprise)
    return render(request, "enterprises/home.html", context)


def _may_request_change(user, enterprise) -> bool:
    frozen = enterprise.status in (Enterprise.Status.APPROVED, Enterprise.Status.SUSPENDED)
    return frozen and user.has_perm("enterprises.change_enterprise", enterprise)


def _changes_context(user, enterprise) -> dict:
    """Issue 17: the enterprise's change requests, newest first (a few: one is open at a time)."""
    changes = selectors.change_requests_visible_to(user).filter(enterprise=enterprise).order_by("-created_at")[:10]
    return {"change_requests": list(changes)}


@login_required
def detail(request, pk: int):
    enterprise = selectors.enterprise_get_for(user=request.user, enterprise_id=pk)
    context = {
        "enterprise": enterprise,
        "can_review": request.user.has_perm("enterprises.review_enterprise", enterprise),
    }
    context.update(_changes_context(request.user, enterprise))
    if enterprise.licence_id:
        context["licence_findings"] = findings_for(enterprise.licence, viewer=request.user)
    if context["can_review"]:
        context["return_form"] = ReturnForm()
        context["suspend_form"] = SuspendForm()
        context["reinstate_form"] = ReinstateForm()
        context["tags_form"] = PriorityTagsForm(initial={"tags": list(enterprise.priority_tags.all())})
    return render(request, "enterprises/detail.html", context)


@login_required
@require_POST
def approve(request, pk: int):
    try:
        services.enterprise_approve(actor=request.user, enterprise_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The enterprise is approved."))
    return redirect("enterprises:detail", pk=pk)


@login_required
@require_POST
def return_for_correction(request, pk: int):
    form = ReturnForm(request.POST)
    try:
        services.enterprise_return(actor=request.user, enterprise_id=pk, reason=form.data.get("reason", ""))
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms))
    else:
        messages.success(request, _("The registration was returned to the enterprise."))
    return redirect("enterprises:detail", pk=pk)


@login_required
@require_POST
def suspend(request, pk: int):
    """Issue 15.10: suspend an approved enterprise with a reason."""
    try:
        services.enterprise_suspend(actor=request.user, enterprise_id=pk, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms) or exc.message)
    else:
        messages.success(request, _("The enterprise is suspended; it has been told why."))
    return redirect("enterprises:detail", pk=pk)


@login_required
@require_POST
def reinstate(request, pk: int):
    services.enterprise_reinstate(actor=request.user, enterprise_id=pk, reason=request.POST.get("reason", ""))
    messages.success(request, _("The enterprise is reinstated."))
    return redirect("enterprises:detail", pk=pk)


@login_required
@require_POST
def set_priority_tags(request, pk: int):
    services.enterprise_set_priority_tags(actor=request.user, enterprise_id=pk, tag_codes=request.POST.getlist("tags"))
    messages.success(request, _("Priority tags saved."))
    return redirect("enterprises:detail", pk=pk)


@login_required
def unit_list(request):
    if not request.user.has_perm("enterprises.list_enterprises"):
        raise PermissionDenied
    # The review queue first: pending (oldest first), then returned, then approved.
    enterprises = selectors.enterprises_visible_to(request.user).order_by(REVIEW_ORDER, "created_at", "pk")
    filters = ListFilterForm(
        request.GET or None, statuses=Enterprise.Status.choices, search_help=_("Name or credit code")
    )
    enterprises = selectors.enterprises_filtered(filters, enterprises)
    return render(
        request,
        "enterprises/unit_list.html",
        {
            "page": page_of(request, enterprises),
            "filter_form": filters,
            "is_province": access.organisation_kind(request.user) == access.PROVINCE_UNIT,
        },
    )


@login_required
def change_request_new(request):
    """Issue 17: an approved enterprise asks its city unit to change its frozen profile."""
    enterprise = selectors.enterprise_of(request.user)
    if enterprise is None or not request.user.has_perm("enterprises.change_enterprise", enterprise):
        raise Http404
    form = ChangeRequestForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid_keeping_materials():
        try:
            change = services.enterprise_change_submit(
                actor=request.user, enterprise_id=enterprise.pk, **form.service_arguments()
            )
        except (ValidationFailed, Conflict) as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The change request was sent to your city unit."))
            return redirect("enterprises:change_request", pk=change.pk)
    context = {"form": form, "enterprise": enterprise, "unit": services.city_unit_of(enterprise)}
    return render(request, "enterprises/change_request_new.html", context)


@login_required
def change_request_list(request):
    """The units' list of enterprise change requests (pending first by default: the city unit's queue)."""
    if not request.user.has_perm("enterprises.list_enterprises"):
        raise Http404
    status = request.GET.get("status", EnterpriseChangeRequest.Status.PENDING)
    changes = selectors.change_requests_visible_to(request.user)
    if status in EnterpriseChangeRequest.Status.values:
        changes = changes.filter(status=status)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if query:
        changes = changes.filter(enterprise__organisation__name__icontains=query)
    page = page_of(request, changes.order_by("created_at", "pk"))
    context = {"page": page, "status": status, "statuses": EnterpriseChangeRequest.Status.choices, "query": query}
    return render(request, "enterprises/change_request_list.html", context)


@login_required
def change_request_detail(request, pk: int):
    change = selectors.change_request_get_for(user=request.user, request_id=pk)
    can_decide = change.status == EnterpriseChangeRequest.Status.PENDING and request.user.has_perm(
        "enterprises.review_enterprise", change.enterprise
    )
    context = {"change": change, "can_decide": can_decide, "form": ChangeDecisionForm() if can_decide else None}
    return render(request, "enterprises/change_request_detail.html", context)


@login_required
@require_POST
def change_request_decide(request, pk: int, decision: str):
    reply = request.POST.get("reply", "")
    try:
        if decision == "apply":
            services.enterprise_change_apply(actor=request.user, request_id=pk, reply=reply)
            messages.success(request, _("The change was applied and the enterprise told."))
        else:
            services.enterprise_change_refuse(actor=request.user, request_id=pk, reply=reply)
            messages.success(request, _("The change request was refused and the enterprise told."))
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms) or exc.message)
    return redirect("enterprises:change_request", pk=pk)
