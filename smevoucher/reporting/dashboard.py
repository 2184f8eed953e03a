"""The dashboard's tables: one list of figures per chart, used three times so they cannot disagree — the data
table under the chart (accessibility, printing), the chart's own data (`json_script`, drawn by
static/reporting/dashboard.js) and the chart's XLSX download."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from smevoucher.catalogue.models import Category
from smevoucher.core.spreadsheets import write_only_book, xlsx_row
from smevoucher.enterprises.models import Industry, PriorityTag, Size

from . import selectors

STAGE_LABELS = {
    "issued": _("Issued"),
    "claimed": _("Claimed (requested)"),
    "allocated": _("Allocated"),
    "ordered": _("Ordered (in escrow)"),
    "received": _("Received by providers"),
    "redeemed": _("Redeemed"),
    "reclaimed": _("Reclaimed"),
    "pool": _("Still in the pool"),
    "wallets": _("In enterprises' wallets"),
}
# The funnel chart: from issue to redemption; where the vouchers are now is the second chart.
FUNNEL = ("issued", "claimed", "allocated", "ordered", "received", "redeemed", "reclaimed")
WHERE_NOW = ("pool", "wallets", "ordered", "received", "redeemed", "reclaimed")

TEXT, COUNT, FEN, PERCENT = "text", "count", "fen", "percent"


@dataclass
class Table:
    key: str
    title: str
    columns: list  # [(label, kind)]
    rows: list = field(default_factory=list)
    totals: list | None = None
    chart: dict | None = None  # {"type": "bar"|"line"|"hbar"|"pie", "labels": [...], "series": [...]}
    marked: list = field(default_factory=list)  # row indexes to highlight (providers above 80 % of the cap)

    @property
    def kinds(self) -> list[str]:
        return [kind for _label, kind in self.columns]


def _series(name, values, *, yuan=False) -> dict:
    return {"name": str(name), "values": list(values), "yuan": yuan}


def funnel_table(summary: dict) -> Table:
    stages = summary["stages"]
    rows = [[STAGE_LABELS[k], stages[k]["fen"], stages[k]["count"]] for k in selectors.STAGES]
    table = Table("funnel", _("Batch funnel"), [(_("Stage"), TEXT), (_("Amount"), FEN), (_("Count"), COUNT)], rows)
    table.chart = {
        "type": "bar",
        "labels": [str(STAGE_LABELS[k]) for k in FUNNEL],
        "series": [_series(_("Amount"), [stages[k]["fen"] for k in FUNNEL], yuan=True)],
    }
    return table


def where_now_table(summary: dict) -> Table:
    stages = summary["stages"]
    rows = [[STAGE_LABELS[k], stages[k]["fen"]] for k in WHERE_NOW]
    table = Table("where_now", _("Where the issued vouchers are now"), [(_("Account"), TEXT), (_("Amount"), FEN)])
    table.rows = rows
    table.totals = [_("Total"), sum(stages[k]["fen"] for k in WHERE_NOW)]
    table.chart = {
        "type": "pie",
        "labels": [str(STAGE_LABELS[k]) for k in WHERE_NOW],
        "series": [_series(_("Amount"), [stages[k]["fen"] for k in WHERE_NOW], yuan=True)],
    }
    return table


def per_city_table(summary: dict) -> Table:
    columns = [(_("City"), TEXT)] + [(STAGE_LABELS[k], FEN) for k in selectors.STAGES]
    table = Table("per_city", _("Per city"), columns)
    for entry in summary["per_city"]:
        table.rows.append([str(entry["city"])] + [entry["stages"][k]["fen"] for k in selectors.STAGES])
    table.totals = [_("Total")] + [summary["stages"][k]["fen"] for k in selectors.STAGES]
    table.chart = {
        "type": "bar",
        "labels": [row[0] for row in table.rows],
        "series": [
            _series(STAGE_LABELS["issued"], [r[1] for r in table.rows], yuan=True),
            _series(
                STAGE_LABELS["received"], [r[1 + selectors.STAGES.index("received")] for r in table.rows], yuan=True
            ),
        ],
    }
    return table


def claims_tables(over_time: dict) -> list[Table]:
    columns = [(_("Claims"), COUNT), (_("Amount requested"), FEN)]
    per_day = Table("claims_per_day", _("Claims per day"), [(_("Day"), TEXT), *columns])
    per_day.rows = [[r["day"], r["claims"], r["fen"]] for r in over_time["per_day"]]
    per_day.chart = {
        "type": "bar",
        "labels": [r[0] for r in per_day.rows],
        "series": [_series(_("Claims"), [r[1] for r in per_day.rows])],
    }
    tables = [per_day]
    if over_time["opening_day"]:
        title = _("Claims per minute on the opening day")
        per_minute = Table("claims_per_minute", title, [(_("Minute"), TEXT), *columns])
        per_minute.rows = [[r["minute"], r["claims"], r["fen"]] for r in over_time["per_minute"]]
        per_minute.chart = {
            "type": "line",
            "labels": [r[0] for r in per_minute.rows],
            "series": [_series(_("Claims"), [r[1] for r in per_minute.rows])],
        }
        tables.insert(0, per_minute)
    return tables


def _bucket_table(key, title, first, bucket: dict, labels: dict, count_label, fen_label) -> Table:
    table = Table(key, title, [(first, TEXT), (count_label, COUNT), (fen_label, FEN)])
    ordered = sorted(bucket.items(), key=lambda item: (-item[1][0], str(item[0])))
    table.rows = [[str(labels.get(k, k)), n, fen] for k, (n, fen) in ordered]
    table.chart = {
        "type": "hbar",
        "labels": [r[0] for r in table.rows],
        "series": [_series(count_label, [r[1] for r in table.rows])],
    }
    return table


def breakdown_tables(merged: dict) -> list[Table]:
    tags = {t.code: str(t) for t in PriorityTag.objects.all()}
    tags[""] = str(_("No priority tag"))
    claims, requested = _("Claims"), _("Amount requested")
    return [
        _bucket_table(
            "by_size",
            _("Claims by enterprise size"),
            _("Size"),
            merged["by_size"],
            dict(Size.choices),
            claims,
            requested,
        ),
        _bucket_table(
            "by_industry",
            _("Claims by industry"),
            _("Industry"),
            merged["by_industry"],
            dict(Industry.choices),
            claims,
            requested,
        ),
        _bucket_table(
            "by_tag", _("Claims by priority tag"), _("Priority tag"), merged["by_tag"], tags, claims, requested
        ),
        _bucket_table(
            "by_category",
            _("Orders by service category"),
            _("Service category"),
            merged["by_category"],
            dict(Category.choices),
            _("Orders"),
            _("Expected voucher amount"),
        ),
    ]


def cap_table(usage: dict) -> Table:
    columns = [
        (_("Service provider"), TEXT),
        (_("Issuing city"), TEXT),
        (_("Cap"), FEN),
        (_("Reserved"), FEN),
        (_("Received"), FEN),
        (_("Share of the cap"), PERCENT),
    ]
    table = Table("cap_usage", _("Providers' cap usage"), columns)
    for index, row in enumerate(usage["rows"]):
        table.rows.append(
            [
                row["provider"],
                str(row["city"]),
                row["cap_fen"],
                row["reserved_fen"],
                row["received_fen"],
                row["share_bp"],
            ]
        )
        if row["near_cap"]:
            table.marked.append(index)
    table.chart = {
        "type": "hbar",
        "labels": [f"{r[0]}（{r[1]}）" for r in table.rows],
        "series": [_series(_("Share of the cap"), [r[5] / 100 for r in table.rows])],
        "percent": True,
        "mark_above": selectors.NEAR_CAP_BP / 100,
    }
    return table


def receipts_table(receipts: dict) -> Table:
    columns = [
        (_("Service provider"), TEXT),
        (_("Paid orders"), COUNT),
        (_("Expected voucher amount"), FEN),
        (_("Actual voucher amount"), FEN),
        (_("Difference"), FEN),
    ]
    table = Table("receipts", _("Expected and actual receipts per provider"), columns)
    table.rows = [
        [r["provider"], r["orders"], r["expected_fen"], r["actual_fen"], r["difference_fen"]] for r in receipts["rows"]
    ]
    t = receipts["totals"]
    table.totals = [_("Total"), t["orders"], t["expected_fen"], t["actual_fen"], t["difference_fen"]]
    table.chart = {
        "type": "bar",
        "labels": [r[0] for r in table.rows],
        "series": [
            _series(_("Expected voucher amount"), [r[2] for r in table.rows], yuan=True),
            _series(_("Actual voucher amount"), [r[3] for r in table.rows], yuan=True),
        ],
    }
    return table


def risk_table(risk: dict) -> Table:
    labels = {
        "expiring": _("Vouchers falling due unspent within 7 days"),
        "contracts_due": _("Orders without a contract, 7 days or less before the R9 deadline"),
        "payments_waiting": _("Payments waiting on a provider's decision"),
        "redemptions_waiting": _("Redemption applications waiting on the unit"),
    }
    table = Table("risk", _("Deadline risks"), [(_("Risk"), TEXT), (_("Count"), COUNT), (_("Amount"), FEN)])
    table.rows = [[labels[k], risk[k]["count"], risk[k]["fen"]] for k in labels]
    table.chart = {
        "type": "hbar",
        "labels": [str(r[0]) for r in table.rows],
        "series": [_series(_("Count"), [r[1] for r in table.rows])],
    }
    return table


def dashboard_tables(scope: selectors.Scope) -> tuple[dict, list[Table]]:
    """(summary, tables) for the scope, in the page's order."""
    summary = selectors.summary(scope)
    tables = [funnel_table(summary), where_now_table(summary)]
    if scope.is_province and scope.city is None:
        tables.append(per_city_table(summary))
    tables += claims_tables(selectors.claims_over_time(scope))
    tables += breakdown_tables(selectors.breakdowns(scope))
    tables.append(cap_table(selectors.cap_usage(scope)))
    tables.append(risk_table(selectors.risk(scope, summary)))
    tables.append(receipts_table(selectors.receipts_by_provider(scope)))
    return summary, tables


def chart_data(tables: list[Table]) -> dict:
    """What dashboard.js draws: {key: chart spec}."""
    return {t.key: {**t.chart, "title": str(t.title)} for t in tables if t.chart}


def _cell(value, kind):
    if kind == FEN:
        return Decimal(value or 0) / 100  # yuan, exact
    if kind == PERCENT:
        return Decimal(value or 0) / 10000
    return str(value) if kind == TEXT else value


def write_xlsx(tables: list[Table], stream) -> None:
    """The tables as sheets, amounts in yuan; every text cell goes through xlsx_row (formula-like text stays text)."""
    book = write_only_book()
    for table in tables:
        sheet = book.create_sheet(str(table.title)[:31])
        sheet.append(xlsx_row(sheet, [str(label) for label, _kind in table.columns]))
        for row in [*table.rows, *([table.totals] if table.totals else [])]:
            sheet.append(xlsx_row(sheet, [_cell(v, k) for v, k in zip(row, table.kinds, strict=True)]))
    book.save(stream)
