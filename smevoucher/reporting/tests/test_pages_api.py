"""The dashboard page, its XLSX downloads, the report API and the provider's receipts page: who may see what."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, province_user
from smevoucher.orders.models import Order
from smevoucher.reporting import selectors
from smevoucher.vouchers.models import LedgerAccount

from .factories import scheme_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow():
    return scheme_flow()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_summary_api_has_the_stable_keys_in_fen_and_counts(flow):
    body = api(city_unit_user()).get("/api/v1/reports/summary/", {"batch": flow.world.batch.pk}).json()
    assert list(body["stages"]) == list(selectors.STAGES)
    pool = LedgerAccount.objects.get(batch=flow.world.batch, kind="pool").balance_fen
    assert body["stages"]["pool"]["fen"] == pool
    assert body["stages"]["issued"] == {"fen": 100_000_00, "count": 1}
    assert body["as_of"] and body["batch"] == flow.world.batch.pk


def test_a_city_unit_asking_for_another_city_gets_404(flow):
    sz = scheme_flow(city_code="440300", expire=False)
    client = api(city_unit_user("440100"))
    for path in ("summary", "claims-over-time", "providers"):
        assert client.get(f"/api/v1/reports/{path}/", {"city": sz.world.batch.city_id}).status_code == 404
        assert client.get(f"/api/v1/reports/{path}/", {"batch": sz.world.batch.pk}).status_code == 404
    page = client.get(reverse("reporting:dashboard"), {"batch": sz.world.batch.pk})
    assert page.status_code in (302, 403, 404)  # the API client is not logged in to the pages
    login_verified(client, city_unit_user("440100"))
    assert client.get(reverse("reporting:dashboard"), {"city": sz.world.batch.city_id}).status_code == 404
    assert client.get(reverse("reporting:export", args=["funnel"]), {"batch": sz.world.batch.pk}).status_code == 404


def test_the_province_gets_a_row_per_city(flow):
    scheme_flow(city_code="440300", expire=False)
    body = api(province_user()).get("/api/v1/reports/summary/").json()
    assert {row["city_name"] for row in body["per_city"]} == {"广州市", "深圳市"}
    issued = sum(row["stages"]["issued"]["fen"] for row in body["per_city"])
    assert issued == body["stages"]["issued"]["fen"] == 200_000_00


@pytest.mark.parametrize("params", [{"year": "abc"}, {"city": "-1"}, {"batch": "9" * 30}, {"year": "1999"}])
def test_bad_filters_get_a_400(flow, params):
    response = api(city_unit_user()).get("/api/v1/reports/summary/", params)
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_only_units_see_reports(flow):
    for user in (flow.world.enterprise_user, flow.world.provider_user):
        assert api(user).get("/api/v1/reports/summary/").status_code == 403
    assert APIClient().get("/api/v1/reports/summary/").status_code in (401, 403)


def test_the_providers_api_lists_cap_usage(flow):
    body = api(city_unit_user()).get("/api/v1/reports/providers/").json()
    assert body["count"] == 1 and body["next_page"] is None
    row = body["results"][0]
    assert row["provider"] == flow.world.provider.organisation_id and row["cap_fen"] == 10_000_00
    assert row["reserved_fen"] == 900_00 and row["received_fen"] == 2_100_00


def test_claims_over_time_per_minute_on_the_opening_day(flow):
    body = api(city_unit_user()).get("/api/v1/reports/claims-over-time/", {"batch": flow.world.batch.pk}).json()
    assert [m["claims"] for m in body["per_minute"]] == [1, 1, 1]
    assert body["per_day"][0]["day"] == body["opening_day"]


def test_the_refresh_api_recomputes(flow):
    client = api(city_unit_user())
    client.get("/api/v1/reports/summary/")
    from smevoucher.orders import services as order_services

    order_services.order_cancel(actor=flow.world.enterprise_user, order_id=flow.in_escrow.pk)
    assert client.get("/api/v1/reports/summary/").json()["stages"]["ordered"]["fen"] == 900_00
    assert client.post("/api/v1/reports/refresh/").json()["stages"]["ordered"]["fen"] == 0


def test_the_dashboard_page_shows_the_funnel_and_every_chart(client, flow, django_assert_max_num_queries):
    login_verified(client, city_unit_user())
    url = reverse("reporting:dashboard")
    client.get(url)  # the first view computes the snapshot
    with django_assert_max_num_queries(30):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "服务券发放漏斗" in html
    assert 'id="report-charts" type="application/json"' in html
    for key in ("funnel", "where_now", "claims_per_day", "by_size", "by_category", "cap_usage", "risk", "receipts"):
        assert f'data-testid="section-{key}"' in html
    assert "<script>" not in html.split('id="report-charts"')[0].split("<main")[1]  # no inline script in the page
    stages = selectors.summary(selectors.scope_for(city_unit_user()))["stages"]
    assert f'data-testid="stage-received-fen" data-fen="{stages["received"]["fen"]}"' in html


def test_the_page_query_count_does_not_grow_with_the_orders(client, django_assert_max_num_queries):
    flow = scheme_flow(expire=False)
    login_verified(client, city_unit_user())
    url = reverse("reporting:dashboard")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    baseline = len(few)
    from smevoucher.orders import factories as orders

    for _i in range(3):
        orders.advance(flow.world, orders.place(flow.world, expected_fen=100_00), Order.Status.CONFIRMED)
    client.post(reverse("reporting:refresh"))
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_each_chart_downloads_as_xlsx_with_the_tables_figures(client, flow):
    login_verified(client, city_unit_user())
    response = client.get(reverse("reporting:export", args=["funnel"]), {"batch": flow.world.batch.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("阶段", "金额", "数量")
    issued = next(r for r in rows if r[0] == "已发放")
    assert float(issued[1]) == 100_000.00 and issued[2] == 1
    assert client.get(reverse("reporting:export", args=["nothing"])).status_code == 404
    every = client.get(reverse("reporting:export", args=["all"]))
    assert len(load_workbook(io.BytesIO(every.content)).sheetnames) >= 9


def test_a_formula_like_provider_name_stays_text_in_the_xlsx(client, flow):
    organisation = flow.world.provider.organisation
    organisation.name = '=HYPERLINK("http://x")'
    organisation.save(update_fields=["name"])
    login_verified(client, city_unit_user())
    response = client.get(reverse("reporting:export", args=["cap_usage"]))
    cell = load_workbook(io.BytesIO(response.content)).active["A2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_the_provider_sees_its_receipts_with_totals_and_export(client, flow):
    login_verified(client, flow.world.provider_user)
    page = client.get(reverse("reporting:receipts"))
    html = page.content.decode()
    assert page.status_code == 200
    assert flow.short_paid.number in html and flow.in_escrow.number not in html
    assert 'data-testid="total-difference">¥400.00' in html
    book = load_workbook(io.BytesIO(client.get(reverse("reporting:receipts_export")).content))
    orders_sheet, totals = book.worksheets
    assert orders_sheet.max_row == 3  # header + two paid orders
    assert float(list(totals.iter_rows(values_only=True))[-1][-1]) == 400.00


def test_receipts_are_for_providers_only(client, flow):
    login_verified(client, city_unit_user())
    assert client.get(reverse("reporting:receipts")).status_code == 403
    login_verified(client, flow.world.enterprise_user)
    assert client.get(reverse("reporting:receipts")).status_code == 403
    assert client.get(reverse("reporting:dashboard")).status_code == 403


def test_another_providers_orders_are_not_in_my_receipts(client, flow):
    other = scheme_flow(expire=False)
    login_verified(client, other.world.provider_user)
    html = client.get(reverse("reporting:receipts")).content.decode()
    assert flow.short_paid.number not in html and other.short_paid.number in html


def test_the_dashboard_speaks_english_too(client, flow):
    login_verified(client, city_unit_user())
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reporting:dashboard")).content.decode()
    assert "Batch funnel" in html and "Received by providers" in html


def test_the_receipts_page_query_count_is_constant(client, flow, django_assert_max_num_queries):
    from smevoucher.orders import factories as orders

    login_verified(client, flow.world.provider_user)
    client.get(reverse("reporting:receipts"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("reporting:receipts"))
    baseline = len(few)
    for _i in range(3):
        orders.advance(flow.world, orders.place(flow.world, expected_fen=100_00), Order.Status.PAYMENT_CONFIRMED)
    with django_assert_max_num_queries(baseline):
        client.get(reverse("reporting:receipts"))
