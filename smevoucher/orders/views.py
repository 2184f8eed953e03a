"""Pages: thin; they call the same selectors and services as the API. Every order page draws the flow chart with
the order's current step, the next action, who must take it and by when."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.catalogue import selectors as catalogue
from smevoucher.core import access, flow
from smevoucher.core.errors import DomainError, ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.money import format_yuan
from smevoucher.documents.services import document_upload
from smevoucher.providers.selectors import provider_of
from smevoucher.vouchers import services as voucher_services
from smevoucher.vouchers.models import LedgerAccount

from . import selectors, services
from .forms import CityMaterialsForm, CompleteForm, ContractForm, OrderForm, PaymentForm, ReasonForm
from .models import CityMaterial, Order, RefundRequest

S = Order.Status


def _error_text(exc: DomainError) -> str:
    details = [str(m) for ms in exc.fields.values() for m in (ms.values() if isinstance(ms, dict) else ms)]
    if isinstance(exc, ValidationFailed) and details:
        return " ".join(str(d) for d in details)
    return " ".join([str(exc.message), *details])


@login_required
def order_list(request):
    if not request.user.has_perm("orders.list_orders"):
        raise PermissionDenied
    orders = selectors.orders_visible_to(request.user)
    statuses = [s for s in request.GET.getlist("status") if s in S.values]
    if statuses:
        orders = orders.filter(status__in=statuses)
    # The workbench's cards link here with the same filters (issue 13).
    if request.GET.get("refund") == "requested":
        orders = orders.filter(selectors.refund_waiting_q())
    if request.GET.get("expiring"):
        orders = orders.filter(selectors.expiring_q())
    status = statuses[0] if len(statuses) == 1 else None
    provider = provider_of(request.user)
    context = {
        "page": Paginator(orders, 50).get_page(request.GET.get("page")),
        "statuses": S.choices,
        "status": status,
        "gauge": voucher_services.cap_usage_of(provider.organisation_id) if provider else None,
        "is_enterprise": access.is_enterprise_user(request.user),
    }
    return render(request, "orders/list.html", context)


@login_required
def cap_gauge(request):
    """The provider's live cap gauge (R7), refreshed by htmx on its order dashboard."""
    provider = provider_of(request.user)
    if provider is None:
        raise Http404
    return render(request, "orders/_cap_gauge.html", {"gauge": voucher_services.cap_usage_of(provider.organisation_id)})


def _wallets(enterprise):
    accounts = LedgerAccount.objects.filter(kind="wallet", enterprise=enterprise, balance_fen__gt=0).select_related(
        "batch"
    )
    return [(a.batch_id, f"{a.batch.name}（{_('usable')} {format_yuan(a.balance_fen)}）") for a in accounts]


@login_required
def order_place(request, revision_id: int):
    if not request.user.has_perm("orders.place_order"):
        raise Http404
    try:
        revision = catalogue.orderable_revision(revision_id)
    except DomainError as exc:
        raise Http404 from exc
    catalogue.catalogue_product_get(user=request.user, product_id=revision.product_id)  # R2: visible to it
    enterprise = getattr(request.user.organisation, "enterprise", None)
    tiers = [(t.pk, f"{t.name or revision.name} · {format_yuan(t.price_fen)}") for t in revision.tiers.all()]
    form = OrderForm(request.POST or None, tiers=tiers, batches=_wallets(enterprise) if enterprise else [])
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_place(
                actor=request.user,
                revision_id=revision.pk,
                tier_id=form.cleaned_data["tier"],
                batch_id=form.cleaned_data["batch"],
                expected_voucher_fen=form.cleaned_data["expected_voucher_fen"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc, rename={"batch_id": "batch"})
        else:
            messages.success(request, _("The order is placed; the provider is asked to confirm it."))
            return redirect("orders:detail", pk=order.pk)
    context = {"revision": revision, "form": form, "steps": flow.steps(current="order"), "tiers": revision.tiers.all()}
    return render(request, "orders/place.html", context)


def _side(user, order) -> str | None:
    if access.belongs_to(user, order.enterprise.organisation_id):
        return "enterprise"
    if access.belongs_to(user, order.provider.organisation_id):
        return "provider"
    if access.is_city_unit(user) and user.organisation.city_id == order.enterprise.city_id:
        return "unit"
    return None


def _detail_context(request, order, **forms):
    side = _side(request.user, order)
    payments = list(order.payments.prefetch_related("materials__document").select_related("invoice", "transfer_proof"))
    live = next((p for p in payments if p.status != "rejected"), None)
    step = selectors.next_step(order)
    context = {
        "order": order,
        "side": side,
        "steps": flow.steps(current=step["step"]),
        "next": step,
        "payments": payments,
        "live_payment": live,
        "duplicates": selectors.duplicate_invoices(live) if live and side != "enterprise" else [],
        "findings": selectors.payment_findings(live) if live and side != "enterprise" else [],
        "refunds": list(order.refund_requests.all()),
        "difference_fen": order.expected_voucher_fen - (live.voucher_fen if live else 0),
        "reason_form": ReasonForm(),
        "contract_form": ContractForm(),
        "complete_form": CompleteForm(),
        "payment_form": PaymentForm(extra_materials=services.required_materials(order.enterprise.city_id)),
    }
    context.update(forms)
    return context


@login_required
def order_detail(request, pk: int):
    order = selectors.order_get_for(user=request.user, order_id=pk)
    return render(request, "orders/detail.html", _detail_context(request, order))


def _files(request, field):
    return request.FILES.getlist(field)


def _upload(request, kind, files):
    return document_upload(actor=request.user, kind=kind, files=[(f.name, f.read()) for f in files])


SIMPLE = {
    "confirm": services.order_confirm,
    "cancel": services.order_cancel,
    "confirm-contract": services.contract_confirm,
    "confirm-payment": services.payment_confirm,
}
WITH_REASON = {
    "decline": services.order_decline,
    "return-contract": services.contract_return,
    "reject-payment": services.payment_reject,
    "refund-request": services.refund_request,
}
DONE = {
    "confirm": _("The order is confirmed."),
    "cancel": _("The order is cancelled; the vouchers are back in your wallet."),
    "confirm-contract": _("The contract is confirmed."),
    "confirm-payment": _("The vouchers are received."),
    "decline": _("The order is declined."),
    "return-contract": _("The contract is returned to the enterprise."),
    "reject-payment": _("The payment is rejected; the enterprise is told why."),
    "refund-request": _("The refund request is sent to the enterprise's city unit."),
    "contract": _("The contract is uploaded; the provider is asked to confirm it."),
    "complete": _("The service is marked as completed."),
    "payment": _("The payment is submitted; the provider checks it."),
}


@login_required
@require_POST
def order_action(request, pk: int, action: str):
    order = selectors.order_get_for(user=request.user, order_id=pk)
    forms = {}
    try:
        if action in SIMPLE:
            SIMPLE[action](actor=request.user, order_id=order.pk)
        elif action in WITH_REASON:
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed(fields={"reason": [_("Give the reason.")]})
            WITH_REASON[action](actor=request.user, order_id=order.pk, reason=form.cleaned_data["reason"])
        elif action == "contract":
            form = forms["contract_form"] = ContractForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationFailed(fields=form.errors)
            with transaction.atomic():
                document = _upload(request, "contract", form.cleaned_data["files"])
                services.contract_upload(actor=request.user, order_id=order.pk, document_id=document.pk)
        elif action == "complete":
            form = forms["complete_form"] = CompleteForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed(fields=form.errors)
            services.order_complete(
                actor=request.user, order_id=order.pk, completed_on=form.cleaned_data["completed_on"]
            )
        elif action == "payment":
            form = forms["payment_form"] = PaymentForm(
                request.POST, request.FILES, extra_materials=services.required_materials(order.enterprise.city_id)
            )
            if not form.is_valid():
                raise ValidationFailed(fields=form.errors)
            data = form.cleaned_data
            with transaction.atomic():
                materials = {
                    name: _upload(request, "city_extra", data[f"extra_{i}"]).pk
                    for i, name in enumerate(form.extra_names)
                }
                services.payment_submit(
                    actor=request.user,
                    order_id=order.pk,
                    invoice_number=data["invoice_number"],
                    invoice_date=data["invoice_date"],
                    invoice_fen=data["invoice_fen"],
                    own_share_fen=data["own_share_fen"],
                    voucher_fen=data["voucher_fen"],
                    invoice_id=_upload(request, "invoice", data["invoice"]).pk,
                    transfer_proof_id=_upload(request, "transfer_proof", data["transfer_proof"]).pk,
                    materials=materials,
                )
        else:
            raise Http404
    except DomainError as exc:
        for form in forms.values():
            if isinstance(exc, ValidationFailed) and form.errors:
                continue
            add_domain_errors(form, exc)
        messages.error(request, _error_text(exc))
        order.refresh_from_db()
        return render(request, "orders/detail.html", _detail_context(request, order, **forms), status=400)
    messages.success(request, DONE[action])
    return redirect("orders:detail", pk=order.pk)


@login_required
def refund_list(request):
    if not request.user.has_perm("orders.decide_refunds"):
        raise PermissionDenied
    refunds = selectors.refund_queue_for(request.user)
    if request.GET.get("status") in RefundRequest.Status.values:
        refunds = refunds.filter(status=request.GET["status"])
    return render(
        request,
        "orders/refunds.html",
        {"page": Paginator(refunds, 50).get_page(request.GET.get("page")), "form": ReasonForm()},
    )


@login_required
@require_POST
def refund_decide(request, pk: int, decision: str):
    if decision not in ("approve", "refuse"):
        raise Http404
    try:
        if decision == "approve":
            services.refund_approve(actor=request.user, refund_id=pk)
            messages.success(request, _("The refund is approved; the vouchers are back in the enterprise's wallet."))
        else:
            form = ReasonForm(request.POST)
            services.refund_refuse(
                actor=request.user, refund_id=pk, reason=form.cleaned_data["reason"] if form.is_valid() else ""
            )
            messages.success(request, _("The refund is refused; the provider is told why."))
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return redirect("orders:refund_list")


@login_required
def city_materials(request):
    if not request.user.has_perm("orders.set_city_materials"):
        raise PermissionDenied
    city_id = request.user.organisation.city_id
    initial = {p: "\n".join(services.required_materials(city_id, p)) for p in CityMaterial.Purpose.values}
    form = CityMaterialsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for purpose in CityMaterial.Purpose.values:
            services.city_materials_set(
                actor=request.user, purpose=purpose, names=form.cleaned_data[purpose].splitlines()
            )
        messages.success(request, _("The city's required materials are saved."))
        return redirect("orders:city_materials")
    return render(request, "orders/city_materials.html", {"form": form})
