"""Pages: the units' dashboard (/reports/) with its chart downloads and refresh, the provider's receipts
(/orders/receipts/). Thin: the same selectors as the API."""

import io
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core.lists import page_of
from smevoucher.core.replica import read_replica

from . import dashboard, receipts, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ID = 2**63 - 1


def _int(value, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """A filter value from the query string; anything that is not a sensible integer is ignored."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def filters_from(query) -> dict:
    return {
        "year": _int(query.get("year"), low=2000, high=2100),
        "city_id": _int(query.get("city")),
        "batch_id": _int(query.get("batch")),
    }


def _scope(request):
    if not request.user.has_perm("reporting.view_dashboard"):
        raise PermissionDenied
    return selectors.scope_for(request.user, **filters_from(request.GET))


def _query(scope) -> str:
    params = {"year": scope.year}
    if scope.city:
        params["city"] = scope.city.pk
    if scope.batch:
        params["batch"] = scope.batch.pk
    return urlencode(params)


def _xlsx_response(tables, filename: str) -> HttpResponse:
    stream = io.BytesIO()
    dashboard.write_xlsx(tables, stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@read_replica()
def dashboard_page(request):
    scope = _scope(request)
    summary, tables = dashboard.dashboard_tables(scope)
    context = {
        "scope": scope,
        "summary": summary,
        "tables": tables,
        "charts": dashboard.chart_data(tables),
        "query": _query(scope),
        "stage_keys": selectors.STAGES,
        "stage_labels": dashboard.STAGE_LABELS,
    }
    return render(request, "reporting/dashboard.html", context)


@login_required
@read_replica()
def dashboard_export(request, key: str):
    """One chart's figures (or all of them, key "all") as XLSX."""
    scope = _scope(request)
    _summary, tables = dashboard.dashboard_tables(scope)
    chosen = tables if key == "all" else [t for t in tables if t.key == key]
    if not chosen:
        raise Http404
    return _xlsx_response(chosen, f"{_('Reports')}-{scope.year}-{key}.xlsx")


@login_required
@require_POST
def dashboard_refresh(request):
    scope = _scope(request)
    selectors.figures_refresh_for(scope)
    messages.success(request, _("The figures were recomputed from the ledger."))
    return redirect(f"{reverse('reporting:dashboard')}?{_query(scope)}")


@login_required
@read_replica()
def receipts_page(request):
    if not request.user.has_perm("reporting.view_receipts"):
        raise PermissionDenied
    orders = receipts.paid_orders_of(request.user)
    groups = receipts.totals_by_city_and_batch(request.user)
    context = {"page": page_of(request, orders), "groups": groups, "totals": receipts.totals_of(request.user, groups)}
    return render(request, "reporting/receipts.html", context)


@login_required
@read_replica()
def receipts_export(request):
    if not request.user.has_perm("reporting.view_receipts"):
        raise PermissionDenied
    stream = io.BytesIO()
    receipts.write_xlsx(request.user, stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(_('Voucher receipts') + '.xlsx')}"
    return response
