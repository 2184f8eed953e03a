import pytest

from smevoucher.accounts.models import User
from smevoucher.demo.seed import seed
from smevoucher.reporting import dashboard, selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["unit_guangzhou", "unit_province"])
def test_the_demo_gives_every_chart_something_to_show(username):
    seed()
    user = User.objects.get(username=username)
    batch = selectors.scope_for(user).batches[0]
    for scope in (selectors.scope_for(user), selectors.scope_for(user, batch_id=batch.pk)):
        _summary, tables = dashboard.dashboard_tables(scope)
        charts = {t.key: t.chart for t in tables if t.chart}
        assert {
            "funnel",
            "where_now",
            "claims_per_day",
            "by_size",
            "by_industry",
            "by_tag",
            "by_category",
            "cap_usage",
            "risk",
            "receipts",
        } <= set(charts)
        for key, chart in charts.items():
            assert any(v for s in chart["series"] for v in s["values"]), key
