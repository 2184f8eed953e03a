"""Pages: thin; they call the same selectors and services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core import access, clock
from smevoucher.core.errors import DomainError, ValidationFailed
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.core.money import format_yuan

from . import selectors, services
from .forms import BatchForm, ClaimForm, PolicyForm, QuotaForm
from .models import Batch, QuotaSetting


def _error_text(exc: DomainError) -> str:
    details = [str(m) for ms in exc.fields.values() for m in ms]
    return " ".join([str(exc.message), *details]) if not isinstance(exc, ValidationFailed) else " ".join(details)


@login_required
def batch_list(request):
    if not request.user.has_perm("vouchers.list_batches"):
        raise PermissionDenied
    filters = ListFilterForm(request.GET or None, statuses=Batch.Status.choices, search_help=_("Batch name"))
    batches = selectors.batches_filtered(filters, selectors.batches_visible_to(request.user))
    # The workbench's cards link here with the same filters (issue 13).
    if request.GET.get("claimable"):
        enterprise = selectors.enterprise_of(request.user)
        batches = batches.filter(selectors.claimable_q(enterprise.pk if enterprise else None))
    if request.GET.get("to_allocate"):
        batches = batches.filter(selectors.to_allocate_q())
    context = {
        "page": page_of(request, batches),
        "filter_form": filters,
        "can_add": request.user.has_perm("vouchers.add_batch"),
        "is_enterprise": access.is_enterprise_user(request.user),
        "now": clock.now(),
    }
    if context["is_enterprise"]:
        enterprise = selectors.enterprise_of(request.user)
        context["claimed"] = set(enterprise.voucher_claims.values_list("batch_id", flat=True)) if enterprise else set()
    return render(request, "vouchers/batch_list.html", context)


def _batch_form_view(request, batch: Batch | None):
    initial = {}
    if batch is not None:
        initial = {f: getattr(batch, f) for f in BatchForm.base_fields}
    form = BatchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if batch is None:
                batch = services.batch_create(actor=request.user, **form.cleaned_data)
                messages.success(request, _("The batch is saved as a draft."))
            else:
                services.batch_update(actor=request.user, batch_id=batch.pk, **form.cleaned_data)
                messages.success(request, _("The batch is saved."))
        except ValidationFailed as exc:
            form.add_service_errors(exc.fields)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            return redirect("vouchers:batch_detail", pk=batch.pk)
    year = batch.year if batch else clock.today().year
    policy = services.policy_for(request.user.organisation.city_id, year)  # R19: shown beside the form
    return render(request, "vouchers/batch_form.html", {"form": form, "batch": batch, "policy": policy})


@login_required
def batch_create(request):
    if not request.user.has_perm("vouchers.add_batch"):
        raise PermissionDenied
    return _batch_form_view(request, None)


@login_required
def batch_edit(request, pk: int):
    batch = selectors.batch_get_for(user=request.user, batch_id=pk, perm="vouchers.manage_batch")
    return _batch_form_view(request, batch)


@login_required
def batch_detail(request, pk: int):
    batch = selectors.batch_get_for(user=request.user, batch_id=pk)
    context = {"batch": batch, "now": clock.now(), "window": batch.window_state()}
    if request.user.has_perm("vouchers.view_claims", batch):
        claims = selectors.claims_of_batch(batch)
        context.update(
            can_manage=request.user.has_perm("vouchers.manage_batch", batch),
            page=page_of(request, claims, 100),
            claim_count=claims.count(),
            accounts=batch.accounts.exclude(kind__in=["wallet", "escrow"]).select_related("provider"),
        )
        return render(request, "vouchers/batch_unit.html", context)
    return _enterprise_page(request, batch, ClaimForm())


def _enterprise_page(request, batch, form, status=200):
    """The enterprise's view of a batch; a refused claim comes back here with the typed amount and the error."""
    context = {"batch": batch, "now": clock.now(), "window": batch.window_state()}
    enterprise = selectors.enterprise_of(request.user)
    claim = enterprise.voucher_claims.filter(batch=batch).first() if enterprise else None
    context.update(
        enterprise=enterprise,
        claim=claim,
        remaining_quota_fen=selectors.remaining_quota_fen(enterprise, batch.year) if enterprise else 0,
        form=form,
    )
    if claim is not None:
        context["place"], context["queue_total"] = selectors.queue_position(claim)
    return render(request, "vouchers/batch_enterprise.html", context, status=status)


def _transition(request, pk: int, service, done: str):
    try:
        service(actor=request.user, batch_id=pk)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect("vouchers:batch_detail", pk=pk)


@login_required
@require_POST
def batch_open(request, pk: int):
    return _transition(request, pk, services.batch_open, _("The batch is open: enterprises can claim in its window."))


@login_required
@require_POST
def batch_allocate(request, pk: int):
    return _transition(request, pk, services.batch_allocate, _("The batch is allocated and the results published."))


@login_required
@require_POST
def batch_close(request, pk: int):
    return _transition(request, pk, services.batch_close, _("The batch is closed."))


@login_required
@require_POST
def claim_submit(request, pk: int):
    batch = selectors.batch_get_for(user=request.user, batch_id=pk, perm="vouchers.claim")
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _enterprise_page(request, batch, form, status=400)
    try:
        claim, created = services.claim_submit(
            actor=request.user, batch_id=batch.pk, amount_fen=form.cleaned_data["amount_fen"]
        )
    except DomainError as exc:
        form.add_error("amount_fen" if "amount_fen" in exc.fields else None, str(exc.message))
        return _enterprise_page(request, batch, form, status=400)
    else:
        if created:
            messages.success(
                request, _("Your claim for %(amount)s is submitted.") % {"amount": format_yuan(claim.amount_fen)}
            )
        else:
            messages.info(request, _("Your enterprise has already claimed in this batch."))
    return redirect("vouchers:batch_detail", pk=batch.pk)


@login_required
def wallet(request):
    if not request.user.has_perm("vouchers.view_wallet"):
        raise PermissionDenied
    enterprise = selectors.enterprise_of(request.user)
    views = selectors.wallets_of(enterprise, with_history=True) if enterprise else []
    if request.GET.get("usable"):  # the workbench's "vouchers to use in an order" card
        usable = set(selectors.claims_of(enterprise).filter(selectors.usable_wallet_q()).values_list("pk", flat=True))
        views = [view for view in views if view.claim.pk in usable]
    return render(request, "vouchers/wallet.html", {"wallets": views, "enterprise": enterprise, "now": clock.now()})


@login_required
def quota(request):
    if not request.user.has_perm("vouchers.set_quota"):
        raise PermissionDenied
    form = QuotaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.quota_set(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            for name, errors in exc.fields.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(request, _("The annual quota is saved."))
            return redirect("vouchers:quota")
    settings = QuotaSetting.objects.filter(city_id=request.user.organisation.city_id).order_by("-year")
    return render(request, "vouchers/quota.html", {"form": form, "settings": settings})


@login_required
def policy(request):
    """R19: the policy numbers per year and their history; every unit reads them, the province sets them."""
    if not request.user.has_perm("vouchers.view_policy"):
        raise PermissionDenied
    can_set = request.user.has_perm("vouchers.set_policy")
    form = PolicyForm(request.POST or None) if can_set else None
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            city = data.pop("city")
            try:
                services.policy_set(actor=request.user, city_id=city.pk if city else None, **data)
            except ValidationFailed as exc:
                for name, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                messages.success(request, _("The policy values are saved."))
                return redirect("vouchers:policy")
    year = clock.today().year
    city_id = None if access.is_province_unit(request.user) else request.user.organisation.city_id
    context = {
        "form": form,
        "year": year,
        "current": services.policy_for(city_id, year),
        "page": page_of(request, services.policy_history(), per_page=30),  # policy is public: every city's rows
    }
    return render(request, "vouchers/policy.html", context)
