"""Pages: thin; they call the same selectors and services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core import access
from smevoucher.core.errors import DomainError, ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.core.money import format_yuan
from smevoucher.providers.selectors import provider_of

from . import printing, selectors, services
from .forms import LookupForm, NewApplicationForm, PaymentsForm, PayoutForm, RejectForm, ScansForm
from .models import Application


def error_text(exc: DomainError) -> str:
    details = [str(m) for ms in exc.fields.values() for m in (ms.values() if isinstance(ms, dict) else ms)]
    if isinstance(exc, ValidationFailed) and details:
        return " ".join(details)
    return " ".join([str(exc.message), *details])


@login_required
def application_list(request):
    if not request.user.has_perm("redemption.list_applications"):
        raise PermissionDenied
    is_provider = access.is_provider_user(request.user)
    applications = (
        selectors.applications_visible_to(request.user) if is_provider else selectors.review_queue_for(request.user)
    )
    # The workbench's cards link here with the same filters (issue 13).
    if request.GET.get("status") in Application.Status.values:
        applications = applications.filter(status=request.GET["status"])
    if request.GET.get("unpublished"):
        applications = applications.filter(selectors.unpublished_results_q())
    cities = selectors.redeemable_cities(request.user) if is_provider else []
    form = NewApplicationForm(cities=[(pk, f"{name}（{format_yuan(total)}）") for pk, name, total in cities])
    filters = ListFilterForm(
        request.GET or None, statuses=Application.Status.choices, search_help=_("Application number or provider")
    )
    applications = selectors.applications_filtered(filters, applications)
    context = {
        "page": page_of(request, applications),
        "filter_form": filters,
        "is_provider": is_provider,
        "form": form,
        "lookup_form": LookupForm(),
    }
    return render(request, "redemption/list.html", context)


@login_required
@require_POST
def application_create(request):
    if not request.user.has_perm("redemption.apply"):
        raise PermissionDenied
    cities = selectors.redeemable_cities(request.user)
    form = NewApplicationForm(request.POST, cities=[(pk, name) for pk, name, _total in cities])
    if not form.is_valid():
        messages.error(request, _("Choose an issuing city with confirmed payments."))
        return redirect("redemption:list")
    provider = provider_of(request.user)
    payment_ids = list(
        selectors.redeemable_payments(provider=provider, city_id=form.cleaned_data["city"]).values_list("pk", flat=True)
    )
    try:
        application = services.application_create(
            actor=request.user, city_id=form.cleaned_data["city"], payment_ids=payment_ids
        )
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("redemption:list")
    messages.success(request, _("The application is created with all confirmed payments of this city."))
    return redirect("redemption:detail", pk=application.pk)


def _payment_choices(application):
    payments = selectors.redeemable_payments(provider=application.provider, city_id=application.city_id)
    return [
        (p.pk, f"{p.order.number} · {p.order.enterprise.organisation.name} · {format_yuan(p.voucher_fen)}")
        for p in payments
    ]


def _context(request, application, **forms):
    is_applicant = access.belongs_to(request.user, application.provider.organisation_id)
    may_review = not is_applicant and request.user.has_perm("redemption.review", application)
    extra = selectors.required_materials(application.city_id)
    context = {
        "application": application,
        "is_applicant": is_applicant,
        "may_review": may_review,
        "lines": selectors.lines_of(application, reviewer=request.user if may_review else None),
        "materials": list(application.materials.select_related("document")),
        "form_versions": selectors.form_versions_of(application),
        "required_materials": extra,
        "payments_form": PaymentsForm(payments=_payment_choices(application)) if is_applicant else None,
        "scans_form": ScansForm(extra_materials=extra, actor=request.user),
        "reject_form": RejectForm(),
        "payout_form": PayoutForm(),
    }
    context.update(forms)
    return context


@login_required
def application_detail(request, pk: int):
    application = selectors.application_get_for(user=request.user, application_id=pk)
    return render(request, "redemption/detail.html", _context(request, application))


DONE = {
    "add": _("The payments are added."),
    "remove": _("The payment is removed from the application."),
    "scans": _("The materials are uploaded."),
    "submit": _("The application is submitted to the city unit."),
    "approve": _("The application is approved; the vouchers are redeemed."),
    "reject": _("The application is rejected; the provider is told why."),
    "payout": _("The payout is recorded."),
}


def _int_or_none(value) -> int | None:
    """The form version the page showed (a hidden field); anything else is treated as not given."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


def _run(request, application, action, forms):
    actor, pk = request.user, application.pk
    if action == "add":
        form = PaymentsForm(request.POST, payments=_payment_choices(application))
        if not form.is_valid():
            raise ValidationFailed(fields={"payments": [_("Choose the payments to add.")]})
        services.application_add_payments(actor=actor, application_id=pk, payment_ids=form.cleaned_data["payments"])
    elif action == "remove":
        try:
            payment_id = int(request.POST.get("payment", ""))
        except ValueError as exc:
            raise Http404 from exc
        services.application_remove_payment(actor=actor, application_id=pk, payment_id=payment_id)
    elif action == "scans":
        form = forms["scans_form"] = ScansForm(
            request.POST,
            request.FILES,
            extra_materials=selectors.required_materials(application.city_id),
            actor=actor,
        )
        documents = form.keep_materials()  # checked files stay as pending documents if anything refuses
        if form.errors:
            raise ValidationFailed(fields=form.errors)
        services.application_attach(
            actor=actor,
            application_id=pk,
            application_form_id=documents["application_form"].pk if "application_form" in documents else None,
            summary_table_id=documents["summary_table"].pk if "summary_table" in documents else None,
            materials={
                name: documents[f"extra_{i}"].pk for i, name in enumerate(form.extra_names) if f"extra_{i}" in documents
            },
            form_version=_int_or_none(request.POST.get("form_version")),
        )
    elif action == "submit":
        services.application_submit(actor=actor, application_id=pk)
    elif action == "approve":
        services.application_approve(actor=actor, application_id=pk)
    elif action == "reject":
        form = forms["reject_form"] = RejectForm(request.POST)
        services.application_reject(
            actor=actor, application_id=pk, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
    elif action == "payout":
        form = forms["payout_form"] = PayoutForm(request.POST)
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        services.application_record_payout(
            actor=actor,
            application_id=pk,
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
        )
    else:
        raise Http404


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    application = selectors.application_get_for(user=request.user, application_id=pk)
    forms = {}
    try:
        _run(request, application, action, forms)
    except DomainError as exc:
        for form in forms.values():
            if not (isinstance(exc, ValidationFailed) and form.errors):
                add_domain_errors(form, exc)
        if not forms:  # a form shows its errors once, beside its fields, with the summary on top
            messages.error(request, error_text(exc))
        application.refresh_from_db()
        return render(request, "redemption/detail.html", _context(request, application, **forms), status=400)
    messages.success(request, DONE[action])
    return redirect("redemption:detail", pk=application.pk)


FORMS = {
    "application.pdf": (printing.application_pdf, "application/pdf", "服务券兑现申请表"),
    "summary.pdf": (printing.summary_pdf, "application/pdf", "服务券使用情况明细汇总表"),
    "summary.xlsx": (
        printing.summary_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "服务券使用情况明细汇总表",
    ),
}


def form_response(application: Application, name: str) -> HttpResponse:
    if name not in FORMS:
        raise Http404
    render_form, content_type, title = FORMS[name]
    response = HttpResponse(render_form(application), content_type=content_type)
    filename = f"{title}-{application.number}.{name.rsplit('.', 1)[1]}"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def application_form(request, pk: int, name: str):
    application = selectors.application_get_for(user=request.user, application_id=pk)
    return form_response(application, name)


@login_required
def verify(request):
    """A unit looks up a printed form's verification code."""
    if not request.user.has_perm("redemption.verify_code"):
        raise PermissionDenied
    form = LookupForm(request.GET or None)
    found = None
    searched = form.is_valid()
    if searched:
        found = selectors.form_version_by_code(user=request.user, code=form.cleaned_data["code"])
    return render(request, "redemption/verify.html", {"form": form, "found": found, "searched": searched})


@login_required
@require_POST
def results_publish(request):
    if not request.user.has_perm("redemption.publish_results"):
        raise PermissionDenied
    notice = services.results_publish(actor=request.user)
    if notice is None:
        messages.info(request, _("There are no new decisions to publish."))
    else:
        messages.success(request, _("The results are published on the notice board."))
    return redirect("redemption:list")
