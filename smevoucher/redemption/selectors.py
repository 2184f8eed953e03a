"""Reads about redemption applications: who may see which (the provider its own; the issuing city's unit those
ever submitted to it; anyone else gets the same 404), the payments a provider may still bundle, totals per order
and overall, and what the review screen shows about each payment's materials."""

from dataclasses import dataclass, field

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Sum, Value, When

from smevoucher.core import access
from smevoucher.integrity.selectors import breached_orders
from smevoucher.orders.models import CityMaterial, Order, Payment
from smevoucher.orders.selectors import duplicate_invoices, payment_findings
from smevoucher.providers.selectors import provider_of

from .models import Application, FormVersion, Line


def _base() -> QuerySet[Application]:
    return Application.objects.select_related("provider__organisation", "city", "application_scan", "summary_scan")


def applications_visible_to(user) -> QuerySet[Application]:
    kind = access.organisation_kind(user)
    if kind == access.PROVIDER:
        return _base().filter(provider__organisation_id=user.organisation_id)
    if kind == access.CITY_UNIT:
        return _base().filter(city_id=user.organisation.city_id, submitted_at__isnull=False)
    return Application.objects.none()


def application_get_for(*, user, application_id, perm: str = "redemption.view_application") -> Application:
    found = applications_visible_to(user).filter(pk=application_id).first()
    return access.require(user, perm, found)


def form_version_by_code(*, user, code: str) -> FormVersion | None:
    """The look-up: a unit checks a printed form's verification code (only its own city's applications). The code
    names one version of the forms; whether it is the current one says if the paper still matches the lines."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        FormVersion.objects.select_related("application__provider__organisation", "application__city")
        .filter(code=code, application__in=applications_visible_to(user))
        .first()
    )


def form_versions_of(application: Application) -> list[FormVersion]:
    """Every version of the application's forms, newest first, with the scans uploaded for each."""
    return list(application.form_versions.select_related("application_scan", "summary_scan"))


def redeemable_payments(*, provider, city_id: int) -> QuerySet[Payment]:
    """R13: confirmed payments of the provider's orders paid with the city's vouchers, not in a live application
    and not of an order found in breach (a confirmed risk flag, R18)."""
    live = Line.objects.filter(payment=OuterRef("pk"), live=True)
    return (
        Payment.objects.filter(
            status=Payment.Status.CONFIRMED,
            order__provider=provider,
            order__status=Order.Status.PAYMENT_CONFIRMED,
            order__batch__city_id=city_id,
        )
        .exclude(Exists(live))
        .exclude(order_id__in=breached_orders())
        .select_related("order__enterprise__organisation", "order__batch")
        .order_by("order_id")
    )


def redeemable_cities(user) -> list:
    """The issuing cities where the provider has payments to bundle, with their count."""
    provider = provider_of(user)
    if provider is None:
        return []
    live = Line.objects.filter(payment=OuterRef("pk"), live=True)
    rows = (
        Payment.objects.filter(
            status=Payment.Status.CONFIRMED, order__provider=provider, order__status=Order.Status.PAYMENT_CONFIRMED
        )
        .exclude(Exists(live))
        .values("order__batch__city_id", "order__batch__city__name")
        .annotate(total=Sum("voucher_fen"))
        .order_by("order__batch__city_id")
    )
    return [(r["order__batch__city_id"], r["order__batch__city__name"], r["total"]) for r in rows]


def required_materials(city_id: int) -> list[str]:
    return list(
        CityMaterial.objects.filter(city_id=city_id, purpose=CityMaterial.Purpose.REDEMPTION).values_list(
            "name", flat=True
        )
    )


@dataclass
class LineView:
    line: Line
    payment: Payment
    order: Order
    findings: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)


def lines_of(application: Application, *, reviewer=None) -> list[LineView]:
    """The application's lines; with a reviewer, each line's findings and duplicate invoices as that reviewer may
    see them."""
    lines = application.lines.select_related(
        "payment__invoice",
        "payment__transfer_proof",
        "order__enterprise__organisation",
        "order__contract",
        "order__batch",
    ).prefetch_related("payment__materials__document")
    views = []
    for line in lines:
        view = LineView(line=line, payment=line.payment, order=line.order)
        if reviewer is not None:
            view.findings = payment_findings(line.payment, viewer=reviewer)
            if line.order.contract_id:
                from smevoucher.documents.selectors import findings_for

                view.findings += findings_for(line.order.contract, viewer=reviewer)
            view.duplicates = duplicate_invoices(line.payment, viewer=reviewer)
        views.append(view)
    return views


def total_fen(application: Application) -> int:
    return application.lines.aggregate(total=Sum("voucher_fen"))["total"] or 0


def totals_by_batch(application: Application) -> dict[int, int]:
    rows = application.lines.values("order__batch_id").annotate(total=Sum("voucher_fen")).order_by("order__batch_id")
    return {r["order__batch_id"]: r["total"] for r in rows}


def review_queue_for(user) -> QuerySet[Application]:
    """The city unit's applications, waiting ones first."""
    if not access.is_city_unit(user):
        return Application.objects.none()
    waiting = Case(When(status=Application.Status.SUBMITTED, then=Value(0)), default=Value(1))
    return applications_visible_to(user).order_by(waiting, "-submitted_at")


def unpublished_results_q() -> Q:
    """Decided applications whose result is not yet on the notice board (what `results_publish` publishes)."""
    decided = (Application.Status.APPROVED, Application.Status.PAID_OUT, Application.Status.REJECTED)
    return Q(status__in=decided, result_notice__isnull=True)


def applications_filtered(filters, applications: QuerySet[Application]) -> QuerySet[Application]:
    """The redemption list's search and status filter (a `core.lists.ListFilterForm`), as its page and its API offer
    them: the application's number (DX00000012) or text in the provider's name."""
    return filters.apply(applications, search=("provider__organisation__name",), number=("DX", "pk"))
