"""Pages: thin; they call the same selectors and services as the API. Every order page draws the flow chart with
the order's current step, the next action, who must take it and by when."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.accounts.models import City
from smevoucher.catalogue import selectors as catalogue
from smevoucher.core import access, clock, flow
from smevoucher.core.errors import DomainError, ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.lists import ListFilterForm, page_of
from smevoucher.core.money import format_yuan
from smevoucher.documents import checks
from smevoucher.providers.selectors import provider_of
from smevoucher.vouchers import selectors as voucher_selectors
from smevoucher.vouchers import services as voucher_services
from smevoucher.vouchers.models import LedgerAccount

from . import selectors, services
from .forms import (
    CityMaterialDescribeForm,
    CityMaterialsForm,
    CompleteForm,
    ContractForm,
    OrderForm,
    PaymentForm,
    ReasonForm,
)
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
    filters = ListFilterForm(
        request.GET or None, statuses=S.choices, search_help=_("Order number, product, enterprise or provider")
    )
    # The rows show the order's own columns (the parties' names are kept on it), so the page query reads one table
    # and PostgreSQL sorts the matches of a search before fetching anything else (issue 16).
    # The workbench's cards link here with their filters too (issue 13).
    visible = selectors.orders_visible_to(request.user).select_related(None)
    orders = selectors.orders_filtered(filters, visible, request.GET)
    provider = provider_of(request.user)
    context = {
        "page": page_of(request, orders),
        "filter_form": filters,
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


def _wallets(enterprise) -> list:
    if enterprise is None:
        return []
    return list(
        LedgerAccount.objects.filter(kind="wallet", enterprise=enterprise, balance_fen__gt=0).select_related("batch")
    )


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
    tiers = list(revision.tiers.all())
    wallets = _wallets(enterprise)
    # issue 13: the real maximum for each price option and batch, stated before the user types
    maximum = {
        f"{t.pk}:{w.batch_id}": services.voucher_maximum_fen(
            batch=w.batch, price_fen=t.price_fen, wallet_fen=w.balance_fen
        )
        for t in tiers
        for w in wallets
    }
    first = maximum.get(f"{tiers[0].pk}:{wallets[0].batch_id}") if tiers and wallets else None
    form = OrderForm(
        request.POST or None,
        tiers=[(t.pk, f"{t.name or revision.name} · {format_yuan(t.price_fen)}") for t in tiers],
        batches=[
            (
                w.batch_id,
                _("%(batch)s (%(amount)s left in your wallet)")
                % {"batch": w.batch.name, "amount": format_yuan(w.balance_fen)},
            )
            for w in wallets
        ],
        initial={"expected_voucher_fen": first},
    )
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
    rows = [
        {
            "tier": t,
            "batch": w.batch,
            "coverage_fen": w.batch.coverage_limit_fen(t.price_fen),
            "coverage_percent": w.batch.coverage_limit_bp / 100,
            "wallet_fen": w.balance_fen,
            "maximum_fen": maximum[f"{t.pk}:{w.batch_id}"],
        }
        for t in tiers
        for w in wallets
    ]
    context = {
        "revision": revision,
        "form": form,
        "steps": flow.steps(current="order"),
        "tiers": tiers,
        "rows": rows,
        "maximum": {key: format_yuan(value) for key, value in maximum.items()},
        "quota_left_fen": voucher_selectors.remaining_quota_fen(enterprise, clock.today().year) if enterprise else None,
    }
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
        "duplicates": selectors.duplicate_invoices(live, viewer=request.user) if live and side != "enterprise" else [],
        "findings": selectors.payment_findings(live, viewer=request.user) if live else [],
        "refunds": list(order.refund_requests.all()),
        "refund_blocker": _refund_blocker(order, side),
        # Issue 15.3: the provider may no longer receive vouchers, so the enterprise may cancel at any open stage.
        "provider_lapsed": side == "enterprise" and services.provider_lapsed(order),
        "difference_fen": order.expected_voucher_fen - (live.voucher_fen if live else 0),
        "city_checks": _city_checks(order, live) if live and side != "enterprise" else [],
        "reason_form": ReasonForm(),
        "contract_form": ContractForm(actor=request.user),
        "complete_form": CompleteForm(),
        "payment_form": _payment_form(request, order),
    }
    context.update(forms)
    return context


def _city_checks(order, payment) -> list[tuple]:
    """Issue 15.2: the enterprise city's required materials (what, why, template) beside what was uploaded."""
    uploaded = {m.name: m for m in payment.materials.all()}
    required = selectors.city_materials_of(order.enterprise.city_id)[CityMaterial.Purpose.PAYMENT]
    return [(material, uploaded.get(material.name)) for material in required]


def _refund_blocker(order, side) -> str:
    """Issue 13: while a refund cannot succeed, its button gives way to the reason and what must happen first."""
    if side not in ("provider", "unit") or order.status != S.PAYMENT_CONFIRMED:
        return ""
    blocker = services.refund_approval_blocker(order)
    if blocker is None:
        return ""
    return str(blocker.message if blocker.code == "in_redemption" else _("The vouchers of this order have expired."))


@login_required
def order_detail(request, pk: int):
    order = selectors.order_get_for(user=request.user, order_id=pk)
    return render(request, "orders/detail.html", _detail_context(request, order))


def _payment_form(request, order, **kwargs):
    return PaymentForm(
        kwargs.get("data"),
        kwargs.get("files"),
        actor=request.user,
        extra_materials=selectors.city_materials_of(order.enterprise.city_id)[CityMaterial.Purpose.PAYMENT],
        order=order,
    )


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
    "cancel": _("The order is cancelled; its vouchers are given back."),
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
            form = forms["contract_form"] = ContractForm(request.POST, request.FILES, actor=request.user)
            documents = form.keep_materials()  # checked files stay as pending documents if anything refuses
            if form.errors:
                raise ValidationFailed(fields=form.errors)
            services.contract_upload(actor=request.user, order_id=order.pk, document_id=documents["files"].pk)
        elif action == "complete":
            form = forms["complete_form"] = CompleteForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed(fields=form.errors)
            services.order_complete(
                actor=request.user, order_id=order.pk, completed_on=form.cleaned_data["completed_on"]
            )
        elif action == "payment":
            form = forms["payment_form"] = _payment_form(request, order, data=request.POST, files=request.FILES)
            documents = form.keep_materials()  # checked files stay as pending documents if anything refuses
            if form.errors:
                raise ValidationFailed(fields=form.errors)
            data = form.cleaned_data
            services.payment_submit(
                actor=request.user,
                order_id=order.pk,
                invoice_number=data["invoice_number"],
                invoice_date=data["invoice_date"],
                invoice_fen=data["invoice_fen"],
                own_share_fen=data["own_share_fen"],
                voucher_fen=data["voucher_fen"],
                invoice_id=documents["invoice"].pk,
                transfer_proof_id=documents["transfer_proof"].pk,
                materials={name: documents[f"extra_{i}"].pk for i, name in enumerate(form.extra_names)},
                payer_account=data.get("payer_account", ""),
            )
        else:
            raise Http404
    except DomainError as exc:
        for form in forms.values():
            if isinstance(exc, ValidationFailed) and form.errors:
                continue
            add_domain_errors(form, exc, rename={"materials": None})
        if not forms:  # a form shows its own errors once, beside its fields (with the summary on top)
            messages.error(request, _error_text(exc))
        order.refresh_from_db()
        return render(request, "orders/detail.html", _detail_context(request, order, **forms), status=400)
    messages.success(request, DONE[action])
    return redirect("orders:detail", pk=order.pk)


@login_required
def refund_list(request):
    if not request.user.has_perm("orders.decide_refunds"):
        raise PermissionDenied
    filters = ListFilterForm(
        request.GET or None,
        statuses=RefundRequest.Status.choices,
        search_help=_("Order number, product, enterprise or provider"),
    )
    refunds = selectors.refunds_filtered(filters, selectors.refund_queue_for(request.user))
    page = page_of(request, refunds)
    for refund in page:  # issue 13: the approve button only when it can succeed, else the reason as text
        blocker = services.refund_approval_blocker(refund.order, in_redemption=refund.in_redemption)
        refund.blocker = str(blocker.message) if blocker and refund.status == RefundRequest.Status.REQUESTED else ""
    return render(request, "orders/refunds.html", {"page": page, "filter_form": filters, "form": ReasonForm()})


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


def _purposes(city_id: int) -> list[tuple[str, list]]:
    materials = selectors.city_materials_of(city_id)
    return [(label, materials[value]) for value, label in CityMaterial.Purpose.choices]


@login_required
def city_materials(request):
    """A city unit names its city's required materials; anyone else (a provider, an enterprise) reads every
    city's requirements."""
    if not request.user.has_perm("orders.set_city_materials"):
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "orders/city_materials_all.html", {"cities": City.objects.all()})
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
    city = request.user.organisation.city
    return render(request, "orders/city_materials.html", {"form": form, "city": city, "purposes": _purposes(city_id)})


@login_required
def city_material_edit(request, pk: int):
    """The unit says what a required material is, why it is needed, and may attach a template."""
    if not request.user.has_perm("orders.set_city_materials"):
        raise PermissionDenied
    material = get_object_or_404(CityMaterial, pk=pk, city_id=request.user.organisation.city_id)
    initial = {"description": material.description, "reason": material.reason}
    form = CityMaterialDescribeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.city_material_describe(actor=request.user, material_id=pk, **form.cleaned_data)
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The material's description is saved."))
            return redirect("orders:city_materials")
    return render(request, "orders/city_material_edit.html", {"form": form, "material": material})


def city_materials_public(request, city: str):
    """Public (no login): what enterprises and providers of this city upload besides the standard materials."""
    city = get_object_or_404(City, slug=city)
    return render(
        request,
        "orders/city_materials_public.html",
        {"city": city, "purposes": _purposes(city.pk), "cities": City.objects.all()},
    )


def city_material_template(request, pk: int):
    """A required material's template, public like the list, from private storage (never a public URL)."""
    material = get_object_or_404(CityMaterial.objects.exclude(template=""), pk=pk)
    content = default_storage.open(material.template.name, "rb").read()
    response = HttpResponse(content, content_type=checks.sniff(material.template_name, content))
    response["Content-Disposition"] = content_disposition_header(True, material.template_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
