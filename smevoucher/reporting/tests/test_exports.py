"""Exports hold exactly what the lists show (each app's selector), with the right columns, and text stays text."""

import tracemalloc
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.models import Enterprise
from smevoucher.reporting import exports

from .helpers import column, export_table, has_formula, read_table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_a_city_unit_exports_only_its_citys_orders_and_the_province_every_city(two):
    gz_numbers = sorted(o.number for o in two.gz_orders)
    assert sorted(column(export_table(two.gz.unit, "orders"), "订单编号")) == gz_numbers
    assert column(export_table(two.sz.unit, "orders"), "订单编号") == [two.sz_order.number]
    assert sorted(column(export_table(two.province, "orders"), "订单编号")) == sorted(
        [*gz_numbers, two.sz_order.number]
    )


@pytest.mark.parametrize(
    "code, header",
    [
        ("claims", "企业"),
        ("allocations", "企业"),
        ("enterprises", "企业"),
        ("payments", "企业"),
    ],
)
def test_no_kind_gives_a_city_unit_another_citys_rows(two, code, header):
    gz_names = set(column(export_table(two.gz.unit, code), header))
    sz_names = set(column(export_table(two.sz.unit, code), header))
    assert two.gz.enterprise.name in gz_names and two.sz.enterprise.name not in gz_names
    if code != "payments":  # the Shenzhen order has no payment yet
        assert two.sz.enterprise.name in sz_names
    assert two.gz.enterprise.name not in sz_names


def test_each_kind_writes_its_columns_and_rows(two):
    unit = two.gz.unit
    tables = {kind.code: export_table(unit, kind.code) for kind in exports.kinds_for(unit)}
    assert set(tables) == {
        "claims", "allocations", "orders", "payments", "refunds", "redemptions",
        "providers", "products", "enterprises", "audit",
    }  # fmt: skip
    assert tables["orders"][0][:4] == ["订单编号", "下单时间", "企业", "统一社会信用代码"]
    order = next(row for row in tables["orders"][1:] if row[0] == two.gz_orders[0].number)
    assert order[tables["orders"][0].index("实收服务券（元）")] == 1000  # ¥1,000.00 received
    assert order[tables["orders"][0].index("状态")] == "服务券已接收"
    assert [row[1] for row in tables["claims"][1:]] == [two.gz.batch.name]
    assert column(tables["claims"], "已分配（元）") == [20000]
    assert column(tables["allocations"], "金额（元）") == [20000]
    assert sorted(column(tables["payments"], "发票号码")) == ["NO00000001", "NO00000002"]
    assert column(tables["refunds"], "理由") == ["服务未完成"]
    assert column(tables["redemptions"], "兑现申请编号") == [two.application.number]
    assert column(tables["providers"], "机构全称") == []  # a provincial provider is the province's to review (R4)
    assert column(tables["products"], "服务产品") == []
    assert two.gz.enterprise.name in column(tables["enterprises"], "企业")
    actions = column(tables["audit"], "操作")
    assert "订单已确认" in actions and "order.confirmed" in column(tables["audit"], "操作代码")
    province = export_table(two.province, "providers")
    assert column(province, "机构全称") == [two.gz.provider.name] and column(province, "级别") == ["省级示范平台"]
    assert two.gz.product.published_revision.name in column(export_table(two.province, "products"), "服务产品")


def test_enterprise_rows_carry_their_priority_tags(db):
    from smevoucher.accounts.factories import city_unit_user
    from smevoucher.vouchers.factories import approved_enterprise

    tagged = approved_enterprise(tags=["zjtx"])
    approved_enterprise()
    table = export_table(city_unit_user(), "enterprises")
    tags = dict(zip(column(table, "企业"), column(table, "重点支持标签"), strict=True))
    assert tags[tagged.name] == "专精特新" and sorted(v or "" for v in tags.values()) == ["", "专精特新"]


def test_filters_narrow_the_rows(two):
    unit = two.gz.unit
    waiting = export_table(unit, "orders", status="placed")
    assert column(waiting, "订单编号") == [two.gz_orders[2].number]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert len(export_table(unit, "orders", since=tomorrow)) == 1  # the header only
    assert len(export_table(two.province, "orders", city=two.sz.batch.city_id)) == 2


@pytest.mark.parametrize(
    "filters, field",
    [({"status": "nonsense"}, "status"), ({"since": "2026-13-40"}, "since"), ({"batch": "x"}, "batch")],
)
def test_bad_filters_are_refused_with_the_field_named(two, filters, field):
    with pytest.raises(ValidationFailed) as refused:
        exports.clean_filters(exports.KINDS["orders"], filters)
    assert field in refused.value.fields


def test_only_units_may_export(two):
    assert exports.kinds_for(two.gz.enterprise_user) == [] and exports.kinds_for(two.gz.provider_user) == []
    with pytest.raises(ValidationFailed):
        exports.kind_for(two.gz.provider_user, "orders")


INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_text_that_looks_like_a_formula_stays_text(two, fmt):
    Enterprise.objects.filter(pk=two.gz.enterprise.pk).update(contact_name=INJECTIONS[0])
    for i, text in enumerate(INJECTIONS):
        AuditEvent.objects.create(at=timezone.now(), action="order.confirmed", reason=text, object_id=str(i))
    kind = exports.KINDS["audit"]
    for code in ("enterprises", "audit"):
        kind = exports.KINDS[code]
        handle, _n = exports.write(kind, fmt, exports.headers(kind), exports.rows(kind, two.province, {}))
        content = handle.read()
        table = read_table(content, fmt)
        cells = {cell for row in table for cell in row if isinstance(cell, str)}
        if fmt == "xlsx":
            assert not has_formula(content)
            expected = INJECTIONS if code == "audit" else INJECTIONS[:1]
        else:
            expected = ["'" + text for text in (INJECTIONS if code == "audit" else INJECTIONS[:1])]
        assert set(expected) <= cells


def _peak_of_audit_export(user, fmt: str) -> int:
    kind = exports.KINDS["audit"]
    tracemalloc.start()
    try:
        handle, count = exports.write(kind, fmt, exports.headers(kind), exports.rows(kind, user, {}))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    handle.close()
    return peak, count


def _add_events(n: int):
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(at=now, action="order.confirmed", object_type="orders.order", object_id=str(i), reason="原因" * 20)
        for i in range(n)
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_peak_memory_does_not_grow_with_the_rows(db, fmt, monkeypatch):
    from smevoucher.accounts.factories import province_user

    monkeypatch.setattr(exports, "CHUNK", 500)
    user = province_user()
    _add_events(2_000)
    small, n_small = _peak_of_audit_export(user, fmt)
    _add_events(6_000)
    large, n_large = _peak_of_audit_export(user, fmt)
    assert n_large >= 4 * n_small - 100
    # Four times the rows: the peak stays within a small margin of the smaller export's (a list would be 4×).
    assert large < small * 1.5 + 512 * 1024, (small, large)


@pytest.mark.parametrize("code", sorted(exports.KINDS))
def test_two_city_units_never_share_a_row_and_the_province_sees_both(two, code):
    gz = {tuple(row) for row in export_table(two.gz.unit, code)[1:]}
    sz = {tuple(row) for row in export_table(two.sz.unit, code)[1:]}
    assert not gz & sz
    if code not in ("providers", "products"):  # a provincial provider and its products are the province's (R4)
        assert gz
    if code != "redemptions":  # the province does not review redemption applications (R13: the issuing city does)
        assert {row[0] for row in gz | sz} <= {row[0] for row in export_table(two.province, code)[1:]}
