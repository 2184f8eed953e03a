from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core import access, clock
from smevoucher.core.errors import Conflict, DomainError, ValidationFailed
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.core.ratelimits import limited
from smevoucher.directory.models import CITY_LEVELS
from smevoucher.directory.selectors import eligibility

from . import selectors, services
from .forms import (
    ChangeRequestForm,
    CorrectionForm,
    DecisionForm,
    LetterRenewalForm,
    RegistrationForm,
    ReinstateForm,
    ReviewForm,
    SuspendForm,
)
from .letter_template import FILENAME as LETTER_FILENAME
from .letter_template import commitment_letter_pdf
from .models import ChangeRequest, LetterRenewal, Provider


@limited("signup")
def register(request):
    """Step 2 of a registration: only a name the directory finds eligible gets here (R1)."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    name = request.POST.get("name") or request.GET.get("name", "")
    result = eligibility(name)
    if not result.eligible:
        messages.warning(request, result.message)
        return redirect(reverse("directory:check") + ("?" + urlencode({"name": name}) if name.strip() else ""))
    entry = result.entry
    city_fixed = entry.level in CITY_LEVELS
    form = RegistrationForm(
        request.POST or None, request.FILES or None, initial={"name": entry.name}, city_fixed=city_fixed
    )
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_register(**form.service_arguments())
        except ValidationFailed as exc:
            form.add_service_errors(exc.fields)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            user = provider.organisation.users.get()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("The registration is submitted. The handling unit will review it."))
            return redirect("providers:home")
    return render(request, "providers/register.html", {"form": form, "entry": entry})


def commitment_letter(request):
    """The commitment letter template (R3) as a PDF in Chinese, prefilled with the organisation's name."""
    response = HttpResponse(commitment_letter_pdf(request.user, request.GET.get("name", "")), "application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{LETTER_FILENAME}"
    return response


@login_required
def home(request):
    provider = selectors.provider_of(request.user)
    if provider is None:
        return redirect("accounts:dashboard")
    form = None
    if provider.status == Provider.Status.RETURNED and request.user.has_perm("providers.change_provider", provider):
        initial = {field: getattr(provider, field) for field in services.PROFILE_FIELDS}
        form = CorrectionForm(request.POST or None, request.FILES or None, initial=initial, actor=request.user)
        if request.method == "POST" and form.is_valid_keeping_materials():
            try:
                services.provider_submit(actor=request.user, provider_id=provider.pk, **form.service_arguments())
            except ValidationFailed as exc:
                form.add_service_errors(exc.fields)
                if not exc.fields:
                    form.add_error(None, exc.message)
            except Conflict as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The corrected registration is submitted again."))
                return redirect("providers:home")
    return render(request, "providers/home.html", _profile_context(request, provider, correction_form=form))


def _profile_context(request, provider, **extra) -> dict:
    return {
        "provider": provider,
        "cities": None if selectors.serves_every_city(provider) else selectors.service_cities(provider),
        "reviewing_unit": selectors.reviewing_unit(provider),
        "change_requests": provider.change_requests.select_related("proof")[:20],
        "may_receive_vouchers": selectors.may_receive_vouchers(provider),
        "suspended": selectors.is_suspended(provider),
        # Manual 三: the violations record (every suspension, lifted or not).
        "suspensions": provider.suspensions.select_related("unit", "suspended_by", "lifted_by")[:50],
        "letter_is_current": selectors.letter_is_current(provider),
        "letter_renewals": provider.letter_renewals.select_related("letter")[:5],
        **extra,
    }


@login_required
def unit_list(request):
    if not request.user.has_perm("providers.list_providers"):
        raise Http404
    # ?queue=1: only the registrations this unit decides (R4), as the workbench counts them.
    queue = bool(request.GET.get("queue"))
    providers = selectors.review_queue_for(request.user) if queue else selectors.providers_visible_to(request.user)
    keep = [("queue", "1")] if queue else []
    if request.GET.get("letter"):  # ?letter=1: those with a commitment letter waiting for review
        providers = providers.filter(letter_renewals__status=LetterRenewal.Status.SUBMITTED)
        keep.append(("letter", "1"))
    data = request.GET.copy()
    data.setdefault("status", Provider.Status.SUBMITTED)  # the review queue unless the unit asks otherwise
    filters = ListFilterForm(data, statuses=Provider.Status.choices, search_help=_("Full name or credit code"))
    providers = selectors.providers_filtered(filters, providers)
    page = page_of(request, providers.order_by("submitted_at", "pk"))
    # Marks only the rows on this page, so the page costs the same however long the queue is.
    queue_ids = set(
        selectors.review_queue_for(request.user).filter(pk__in=[p.pk for p in page]).values_list("pk", flat=True)
    )
    return render(
        request,
        "providers/unit_list.html",
        {
            "page": page,
            "filter_form": filters,
            "filter_keep": keep,
            "queue_ids": queue_ids,
        },
    )


@login_required
def detail(request, pk: int):
    provider = selectors.provider_get_for(user=request.user, provider_id=pk)
    if access.belongs_to(request.user, provider.organisation_id):
        return redirect("providers:home")
    can_review = request.user.has_perm("providers.review_provider", provider)
    form = ReviewForm(initial=provider.checklist) if can_review else None
    sanction = {}
    if request.user.has_perm("providers.sanction_provider", provider) and provider.status == Provider.Status.APPROVED:
        sanction = {"suspend_form": SuspendForm(prefix="suspend"), "reinstate_form": ReinstateForm(prefix="reinstate")}
    pending = provider.letter_renewals.filter(status=LetterRenewal.Status.SUBMITTED).select_related("letter").first()
    context = _profile_context(
        request,
        provider,
        can_review=can_review,
        form=form,
        pending_letter=pending,
        letter_form=ReviewForm() if can_review and pending else None,
        **sanction,
    )
    return render(request, "providers/detail.html", context)


@login_required
@require_POST
def suspend(request, pk: int):
    """Manual 三: a unit suspends the provider for a period with a reason."""
    form = SuspendForm(request.POST, prefix="suspend")
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        services.provider_suspend(actor=request.user, provider_id=pk, **form.cleaned_data)
    except DomainError as exc:
        for problem in [m for ms in exc.fields.values() for m in ms] or [exc.message]:
            messages.error(request, problem)
    else:
        messages.success(request, _("The provider is suspended; it and the enterprises of its open orders are told."))
    return redirect("providers:detail", pk=pk)


@login_required
@require_POST
def reinstate(request, pk: int):
    form = ReinstateForm(request.POST, prefix="reinstate")
    form.is_valid()
    services.provider_reinstate(actor=request.user, provider_id=pk, reason=form.cleaned_data.get("reason", ""))
    messages.success(request, _("The provider is reinstated."))
    return redirect("providers:detail", pk=pk)


@login_required
def suspension_list(request):
    """Manual 三: the violations record across providers; the province sees all."""
    if not request.user.has_perm("providers.list_providers"):
        raise Http404
    suspensions = selectors.suspensions_visible_to(request.user)
    return render(request, "providers/suspension_list.html", {"page": page_of(request, suspensions)})


def _decide(request, pk: int, decision):
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        decision(form)
    except DomainError as exc:
        messages.error(request, exc.message)
        if exc.fields:
            for problems in exc.fields.values():
                for problem in problems:
                    messages.error(request, problem)
        return None
    return True


@login_required
@require_POST
def approve(request, pk: int):
    if _decide(
        request,
        pk,
        lambda form: services.provider_approve(actor=request.user, provider_id=pk, checklist=form.checklist()),
    ):
        messages.success(request, _("The provider is approved."))
    return redirect("providers:detail", pk=pk)


@login_required
@require_POST
def return_for_correction(request, pk: int):
    def decision(form):
        return services.provider_return(
            actor=request.user, provider_id=pk, reason=form.data.get("reason", ""), checklist=form.checklist()
        )

    if _decide(request, pk, decision):
        messages.success(request, _("The registration was returned to the provider."))
    return redirect("providers:detail", pk=pk)


@login_required
def letter(request):
    """R3 each year: the provider uploads its commitment letter dated in the current year."""
    provider = selectors.provider_of(request.user)
    if provider is None or not request.user.has_perm("providers.change_provider", provider):
        raise Http404
    form = LetterRenewalForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid_keeping_materials():
        try:
            services.letter_renewal_submit(actor=request.user, provider_id=provider.pk, **form.service_arguments())
        except ValidationFailed as exc:
            form.add_service_errors(exc.fields)
            if not exc.fields:
                form.add_error(None, exc.message)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The commitment letter is uploaded; the handling unit will review it."))
            return redirect("providers:letter")
    year = clock.today().year
    # the workbench card counts the same filter, so its count is what this page says
    to_renew = Provider.objects.filter(selectors.letter_to_renew_q(), pk=provider.pk).exists()
    context = _profile_context(
        request, provider, form=form, year=year, dated=provider.commitment_date.year >= year, to_renew=to_renew
    )
    return render(request, "providers/letter.html", context)


@login_required
@require_POST
def letter_decide(request, pk: int, decision: str):
    renewal = selectors.letter_renewal_get_for(user=request.user, renewal_id=pk)
    form = ReviewForm(request.POST)
    try:
        if decision == "approve":
            services.letter_renewal_approve(actor=request.user, renewal_id=pk, checklist=form.checklist())
            messages.success(request, _("The commitment letter is approved."))
        else:
            services.letter_renewal_return(actor=request.user, renewal_id=pk, reason=request.POST.get("reason", ""))
            messages.success(request, _("The commitment letter was returned to the provider."))
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms) or exc.message)
    return redirect("providers:detail", pk=renewal.provider_id)


@login_required
def change_request_new(request):
    provider = selectors.provider_of(request.user)
    if provider is None or not request.user.has_perm("providers.change_provider", provider):
        raise Http404
    form = ChangeRequestForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid_keeping_materials():
        try:
            change = services.change_request_submit(
                actor=request.user, provider_id=provider.pk, **form.service_arguments()
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.fields)
            if not exc.fields:
                form.add_error(None, exc.message)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The change request was sent to the handling unit."))
            return redirect("providers:change_request", pk=change.pk)
    context = {"form": form, "provider": provider, "reviewing_unit": selectors.reviewing_unit(provider)}
    return render(request, "providers/change_request_new.html", context)


@login_required
def change_request_list(request):
    if not request.user.has_perm("providers.list_providers"):
        raise Http404
    status = request.GET.get("status", "pending")
    changes = selectors.change_request_queue_for(request.user)
    if status in ChangeRequest.Status.values:
        changes = changes.filter(status=status)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if query:
        changes = changes.filter(provider__organisation__name__icontains=query)
    page = page_of(request, changes.order_by("created_at", "pk"))
    return render(
        request,
        "providers/change_request_list.html",
        {"page": page, "status": status, "statuses": ChangeRequest.Status.choices, "query": query},
    )


@login_required
def change_request_detail(request, pk: int):
    change = selectors.change_request_get_for(user=request.user, request_id=pk)
    can_decide = change.status == ChangeRequest.Status.PENDING and request.user.has_perm(
        "providers.review_provider", change.provider
    )
    return render(
        request,
        "providers/change_request_detail.html",
        {"change": change, "can_decide": can_decide, "form": DecisionForm() if can_decide else None},
    )


@login_required
@require_POST
def change_request_decide(request, pk: int, decision: str):
    reply = request.POST.get("reply", "")
    try:
        if decision == "apply":
            services.change_request_apply(actor=request.user, request_id=pk, reply=reply)
            messages.success(request, _("The change was applied and the provider told."))
        else:
            services.change_request_refuse(actor=request.user, request_id=pk, reply=reply)
            messages.success(request, _("The change request was refused and the provider told."))
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms) or exc.message)
    return redirect("providers:change_request", pk=pk)
