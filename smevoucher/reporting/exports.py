"""Exports (R17): what each kind holds (row selectors built on the owning app's `*_visible_to` selector, so an
export is scoped exactly like the list), and the renderers that write XLSX or CSV.

Memory stays flat however many rows: rows are streamed from the database in chunks (`values_list(...)
.iterator(chunk_size=...)`), the XLSX is written by openpyxl's write-only workbook and the CSV line by line,
both into a temporary file that is then handed to the storage in chunks. Every row goes through
`core.spreadsheets`, so text that looks like a formula stays text.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smevoucher.catalogue.models import Category, Product, ProductRevision
from smevoucher.catalogue.selectors import products_visible_to
from smevoucher.core import access
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.replica import using_replica
from smevoucher.core.spreadsheets import csv_row, write_only_book, xlsx_row
from smevoucher.directory.models import Level
from smevoucher.enterprises.models import Enterprise, Industry, Size
from smevoucher.enterprises.selectors import enterprises_visible_to
from smevoucher.orders.models import Order, Payment, RefundRequest
from smevoucher.orders.selectors import orders_visible_to, refunds_visible_to
from smevoucher.providers.models import Provider
from smevoucher.providers.selectors import providers_visible_to
from smevoucher.redemption.models import Application
from smevoucher.redemption.selectors import applications_visible_to
from smevoucher.vouchers.models import Claim, LedgerEntry, LedgerTransaction
from smevoucher.vouchers.selectors import batches_visible_to, ledger_transactions_visible_to

from . import audit_trail

CHUNK = 2000  # rows fetched from the database at a time


def _yuan(fen):
    return None if fen is None else Decimal(fen) / 100


LOCAL = ZoneInfo(settings.TIME_ZONE)


def _local(value):
    """Spreadsheets have no time zones: local (Asia/Shanghai) wall time, without the zone."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL).replace(tzinfo=None, microsecond=0)
    return value


def _label(function: Callable) -> Callable:
    """Mark a converter from a few codes to their (translated) labels: `rows` remembers each answer per export,
    so a million rows cost a handful of translations."""

    def label(value):
        return function(value)

    label.memo = True
    return label


def _choices(choices) -> Callable:
    labels = dict(choices)
    return _label(lambda value: str(labels.get(value, value)) if value not in (None, "") else "")


@_label
def _yes_no(value):
    return str(_("Yes")) if value else str(_("No"))


@dataclass(frozen=True)
class Column:
    header: object
    path: str  # a `values_list` path from the kind's queryset
    convert: Callable | None = None


def _text(value):
    return "" if value is None else value


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    rows: Callable  # user -> QuerySet already scoped to what the user may see
    columns: list[Column]
    date_field: str  # the since/until filter applies to this field
    status_field: str = ""
    status_choices: list = field(default_factory=list)
    batch_field: str = ""
    city_field: str = ""
    order_by: tuple = ("-pk",)
    # For rows that need a second read (many-to-many), per chunk: (chunk of row tuples) -> same rows, extended.
    decorate: Callable | None = None
    extra_headers: list = field(default_factory=list)


def _claims(user) -> QuerySet[Claim]:
    if not access.is_unit_staff(user):
        return Claim.objects.none()
    return Claim.objects.filter(batch__in=batches_visible_to(user))


def _allocations(user) -> QuerySet[LedgerEntry]:
    """Each voucher allocation into an enterprise's wallet, first allocation and backfills (递补) alike."""
    kinds = [LedgerTransaction.Kind.ALLOCATION, LedgerTransaction.Kind.BACKFILL]
    transactions = ledger_transactions_visible_to(user).filter(kind__in=kinds)
    return LedgerEntry.objects.filter(transaction__in=transactions.values("pk"), account__kind="wallet")


def _payments(user) -> QuerySet[Payment]:
    return Payment.objects.filter(order__in=orders_visible_to(user).values("pk"))


def _products(user) -> QuerySet[Product]:
    latest = ProductRevision.objects.filter(product=OuterRef("pk")).order_by("-number")
    return products_visible_to(user).annotate(
        shown_name=Coalesce("published_revision__name", Subquery(latest.values("name")[:1])),
        shown_category=Coalesce("published_revision__category", Subquery(latest.values("category")[:1])),
        shown_min=Coalesce("published_revision__price_min_fen", Subquery(latest.values("price_min_fen")[:1])),
        shown_max=Coalesce("published_revision__price_max_fen", Subquery(latest.values("price_max_fen")[:1])),
    )


def _enterprise_tags(rows: list[tuple]) -> list[tuple]:
    """Append each enterprise's priority tags (one query per chunk; the id is the row's first value)."""
    through = Enterprise.priority_tags.through
    tags: dict[int, list[str]] = {}
    for enterprise_id, name in (
        through.objects.filter(enterprise_id__in=[row[0] for row in rows])
        .order_by("prioritytag__name")
        .values_list("enterprise_id", "prioritytag__name")
    ):
        tags.setdefault(enterprise_id, []).append(name)
    return [(*row, "、".join(tags.get(row[0], []))) for row in rows]


def _order_number(pk):
    return f"D{pk:08d}" if pk else ""


def _application_number(pk):
    return f"DX{pk:08d}" if pk else ""


def _audit(user):
    return audit_trail.events_visible_to(user, every_row=True)


# Column headers carry the "export column" context, so they never clash with other apps' words.
ORDER_STATUS = _choices(Order.Status.choices)
KINDS: dict[str, Kind] = {}


def _register(kind: Kind) -> None:
    KINDS[kind.code] = kind


_register(
    Kind(
        "claims",
        _("Claims"),
        _claims,
        [
            Column(pgettext_lazy("export column", "Claim no."), "pk"),
            Column(pgettext_lazy("export column", "Batch"), "batch__name"),
            Column(pgettext_lazy("export column", "Issuing city"), "batch__city__name"),
            Column(pgettext_lazy("export column", "Enterprise"), "enterprise__organisation__name"),
            Column(pgettext_lazy("export column", "Credit code"), "enterprise__uscc"),
            Column(pgettext_lazy("export column", "Submitted at"), "submitted_at", _local),
            Column(pgettext_lazy("export column", "Requested (yuan)"), "amount_fen", _yuan),
            Column(pgettext_lazy("export column", "Allocated (yuan)"), "allocated_fen", _yuan),
            Column(pgettext_lazy("export column", "Counted against the quota (yuan)"), "quota_fen", _yuan),
            Column(pgettext_lazy("export column", "Priority enterprise"), "priority", _yes_no),
            Column(pgettext_lazy("export column", "Status"), "status", _choices(Claim.Status.choices)),
            Column(pgettext_lazy("export column", "Order deadline"), "order_deadline", _local),
        ],
        date_field="submitted_at",
        status_field="status",
        status_choices=Claim.Status.choices,
        batch_field="batch_id",
        city_field="batch__city_id",
    )
)
_register(
    Kind(
        "allocations",
        _("Allocations"),
        _allocations,
        [
            Column(pgettext_lazy("export column", "Entry no."), "pk"),
            Column(pgettext_lazy("export column", "Allocated at"), "transaction__created_at", _local),
            Column(
                pgettext_lazy("export column", "Allocation kind"),
                "transaction__kind",
                _choices(LedgerTransaction.Kind.choices),
            ),
            Column(pgettext_lazy("export column", "Batch"), "account__batch__name"),
            Column(pgettext_lazy("export column", "Issuing city"), "account__batch__city__name"),
            Column(pgettext_lazy("export column", "Enterprise"), "account__enterprise__organisation__name"),
            Column(pgettext_lazy("export column", "Credit code"), "account__enterprise__uscc"),
            Column(pgettext_lazy("export column", "Amount (yuan)"), "amount_fen", _yuan),
        ],
        date_field="transaction__created_at",
        batch_field="account__batch_id",
        city_field="account__batch__city_id",
    )
)
_register(
    Kind(
        "orders",
        _("Orders"),
        orders_visible_to,
        [
            Column(pgettext_lazy("export column", "Order no."), "pk", _order_number),
            Column(pgettext_lazy("export column", "Placed at"), "placed_at", _local),
            Column(pgettext_lazy("export column", "Enterprise"), "enterprise__organisation__name"),
            Column(pgettext_lazy("export column", "Credit code"), "enterprise__uscc"),
            Column(pgettext_lazy("export column", "Enterprise's city"), "enterprise__city__name"),
            Column(pgettext_lazy("export column", "Service provider"), "provider__organisation__name"),
            Column(pgettext_lazy("export column", "Product"), "product_name"),
            Column(pgettext_lazy("export column", "Tier"), "tier_name"),
            Column(pgettext_lazy("export column", "Price (yuan)"), "price_fen", _yuan),
            Column(pgettext_lazy("export column", "Batch"), "batch__name"),
            Column(pgettext_lazy("export column", "Issuing city"), "batch__city__name"),
            Column(pgettext_lazy("export column", "Expected vouchers (yuan)"), "expected_voucher_fen", _yuan),
            Column(pgettext_lazy("export column", "Vouchers received (yuan)"), "voucher_fen", _yuan),
            Column(pgettext_lazy("export column", "Status"), "status", ORDER_STATUS),
            Column(pgettext_lazy("export column", "Contract due by"), "contract_due", _local),
            Column(pgettext_lazy("export column", "Confirmed at"), "confirmed_at", _local),
            Column(pgettext_lazy("export column", "Vouchers received at"), "payment_confirmed_at", _local),
        ],
        date_field="placed_at",
        status_field="status",
        status_choices=Order.Status.choices,
        batch_field="batch_id",
        city_field="batch__city_id",
    )
)
_register(
    Kind(
        "payments",
        _("Payments"),
        _payments,
        [
            Column(pgettext_lazy("export column", "Payment no."), "pk"),
            Column(pgettext_lazy("export column", "Order no."), "order_id", _order_number),
            Column(pgettext_lazy("export column", "Enterprise"), "order__enterprise__organisation__name"),
            Column(pgettext_lazy("export column", "Service provider"), "order__provider__organisation__name"),
            Column(pgettext_lazy("export column", "Invoice number"), "invoice_number"),
            Column(pgettext_lazy("export column", "Invoice date"), "invoice_date"),
            Column(pgettext_lazy("export column", "Invoice amount (yuan)"), "invoice_fen", _yuan),
            Column(pgettext_lazy("export column", "Own share (yuan)"), "own_share_fen", _yuan),
            Column(pgettext_lazy("export column", "Vouchers (yuan)"), "voucher_fen", _yuan),
            Column(pgettext_lazy("export column", "Status"), "status", _choices(Payment.Status.choices)),
            Column(pgettext_lazy("export column", "Submitted at"), "submitted_at", _local),
            Column(pgettext_lazy("export column", "Decided at"), "decided_at", _local),
            Column(pgettext_lazy("export column", "Reasons for rejection"), "reject_reason", _text),
        ],
        date_field="submitted_at",
        status_field="status",
        status_choices=Payment.Status.choices,
        batch_field="order__batch_id",
        city_field="order__batch__city_id",
    )
)
_register(
    Kind(
        "refunds",
        _("Refunds"),
        refunds_visible_to,
        [
            Column(pgettext_lazy("export column", "Refund request no."), "pk"),
            Column(pgettext_lazy("export column", "Order no."), "order_id", _order_number),
            Column(pgettext_lazy("export column", "Enterprise"), "order__enterprise__organisation__name"),
            Column(pgettext_lazy("export column", "Service provider"), "order__provider__organisation__name"),
            Column(pgettext_lazy("export column", "Amount (yuan)"), "amount_fen", _yuan),
            Column(pgettext_lazy("export column", "Reason"), "reason", _text),
            Column(pgettext_lazy("export column", "Status"), "status", _choices(RefundRequest.Status.choices)),
            Column(pgettext_lazy("export column", "Requested at"), "requested_at", _local),
            Column(pgettext_lazy("export column", "Decided at"), "decided_at", _local),
            Column(pgettext_lazy("export column", "Reasons for refusal"), "decision_note", _text),
        ],
        date_field="requested_at",
        status_field="status",
        status_choices=RefundRequest.Status.choices,
        batch_field="order__batch_id",
        city_field="order__batch__city_id",
    )
)
_register(
    Kind(
        "redemptions",
        _("Redemptions"),
        applications_visible_to,
        [
            Column(pgettext_lazy("export column", "Application no."), "pk", _application_number),
            Column(pgettext_lazy("export column", "Service provider"), "provider__organisation__name"),
            Column(pgettext_lazy("export column", "Issuing city"), "city__name"),
            Column(pgettext_lazy("export column", "Total vouchers (yuan)"), "total_fen", _yuan),
            Column(pgettext_lazy("export column", "Status"), "status", _choices(Application.Status.choices)),
            Column(pgettext_lazy("export column", "Submitted at"), "submitted_at", _local),
            Column(pgettext_lazy("export column", "Decided at"), "decided_at", _local),
            Column(pgettext_lazy("export column", "Reasons for rejection"), "reject_reason", _text),
            Column(pgettext_lazy("export column", "Paid out on"), "paid_on"),
            Column(pgettext_lazy("export column", "Payout reference"), "payout_reference", _text),
            Column(pgettext_lazy("export column", "Verification code"), "verification_code", _text),
        ],
        date_field="created_at",
        status_field="status",
        status_choices=Application.Status.choices,
        city_field="city_id",
    )
)
_register(
    Kind(
        "providers",
        _("Service providers"),
        providers_visible_to,
        [
            Column(pgettext_lazy("export column", "Provider no."), "pk"),
            Column(pgettext_lazy("export column", "Full name"), "organisation__name"),
            Column(pgettext_lazy("export column", "Credit code"), "uscc"),
            Column(pgettext_lazy("export column", "Level"), "level", _choices(Level.choices)),
            Column(pgettext_lazy("export column", "City"), "city__name"),
            Column(pgettext_lazy("export column", "Status"), "status", _choices(Provider.Status.choices)),
            Column(pgettext_lazy("export column", "Legal representative"), "legal_representative", _text),
            Column(pgettext_lazy("export column", "Contact person"), "contact_name", _text),
            Column(pgettext_lazy("export column", "Contact telephone"), "contact_phone", _text),
            Column(pgettext_lazy("export column", "Contact e-mail"), "contact_email", _text),
            Column(pgettext_lazy("export column", "Submitted at"), "submitted_at", _local),
            Column(pgettext_lazy("export column", "Decided at"), "decided_at", _local),
        ],
        date_field="submitted_at",
        status_field="status",
        status_choices=Provider.Status.choices,
        city_field="city_id",
    )
)
_register(
    Kind(
        "products",
        _("Service products"),
        _products,
        [
            Column(pgettext_lazy("export column", "Product no."), "pk"),
            Column(pgettext_lazy("export column", "Product"), "shown_name", _text),
            Column(pgettext_lazy("export column", "Service category"), "shown_category", _choices(Category.choices)),
            Column(pgettext_lazy("export column", "Service provider"), "provider__organisation__name"),
            Column(pgettext_lazy("export column", "Status"), "status", _choices(Product.Status.choices)),
            Column(pgettext_lazy("export column", "Lowest price (yuan)"), "shown_min", _yuan),
            Column(pgettext_lazy("export column", "Highest price (yuan)"), "shown_max", _yuan),
            Column(pgettext_lazy("export column", "Created at"), "created_at", _local),
            Column(pgettext_lazy("export column", "Taken down at"), "taken_down_at", _local),
            Column(pgettext_lazy("export column", "Reason for taking down"), "take_down_reason", _text),
        ],
        date_field="created_at",
        status_field="status",
        status_choices=Product.Status.choices,
        city_field="provider__city_id",
    )
)
_register(
    Kind(
        "enterprises",
        _("Enterprises"),
        enterprises_visible_to,
        [
            Column(pgettext_lazy("export column", "Enterprise no."), "pk"),
            Column(pgettext_lazy("export column", "Enterprise"), "organisation__name"),
            Column(pgettext_lazy("export column", "Credit code"), "uscc"),
            Column(pgettext_lazy("export column", "City"), "city__name"),
            Column(pgettext_lazy("export column", "Enterprise size"), "size", _choices(Size.choices)),
            Column(pgettext_lazy("export column", "Industry"), "industry", _choices(Industry.choices)),
            Column(pgettext_lazy("export column", "Status"), "status", _choices(Enterprise.Status.choices)),
            Column(pgettext_lazy("export column", "Contact person"), "contact_name", _text),
            Column(pgettext_lazy("export column", "Contact telephone"), "contact_phone", _text),
            Column(pgettext_lazy("export column", "Signed up at"), "created_at", _local),
        ],
        date_field="created_at",
        status_field="status",
        status_choices=Enterprise.Status.choices,
        city_field="city_id",
        decorate=_enterprise_tags,
        extra_headers=[pgettext_lazy("export column", "Priority tags")],
    )
)
_register(
    Kind(
        "audit",
        _("Audit trail"),
        _audit,
        [
            Column(pgettext_lazy("export column", "Event no."), "pk"),
            Column(pgettext_lazy("export column", "Time"), "at", _local),
            Column(pgettext_lazy("export column", "User"), "actor_label", _text),
            Column(pgettext_lazy("export column", "Organisation"), "actor__organisation__name", _text),
            Column(pgettext_lazy("export column", "Action"), "action", _label(audit_trail.action_label)),
            Column(pgettext_lazy("export column", "Action code"), "action"),
            Column(pgettext_lazy("export column", "Object"), "object_type", _label(audit_trail.object_type_label)),
            Column(pgettext_lazy("export column", "Object no."), "object_id", _text),
            Column(pgettext_lazy("export column", "Reason given"), "reason", _text),
            Column(pgettext_lazy("export column", "IP address"), "ip_address", _text),
        ],
        date_field="at",
    )
)


def kinds_for(user) -> list[Kind]:
    """What this user may export: the handling units every kind (each scoped by its selector)."""
    return list(KINDS.values()) if access.is_unit_staff(user) else []


def kind_for(user, code: str) -> Kind:
    found = next((kind for kind in kinds_for(user) if kind.code == code), None)
    if found is None:
        raise ValidationFailed(fields={"kind": [_("Choose what to export.")]})
    return found


def _int(value, name):
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise ValidationFailed(fields={name: [_("Enter a whole number.")]}) from None
    if not 0 < number < 2**62:
        raise ValidationFailed(fields={name: [_("Enter a whole number.")]})
    return number


def clean_filters(kind: Kind, raw: dict | None) -> dict:
    """The filters a job keeps, checked now so the job cannot fail on them later (400 with the field named)."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ValidationFailed(fields={"filters": [_("Give the filters as an object.")]})
    cleaned = {}
    for name in ("since", "until"):
        if raw.get(name):
            try:
                cleaned[name] = date.fromisoformat(str(raw[name])).isoformat()
            except ValueError:
                raise ValidationFailed(fields={name: [_("Enter a date as YYYY-MM-DD.")]}) from None
    if raw.get("status"):
        if not kind.status_field or str(raw["status"]) not in dict(kind.status_choices):
            raise ValidationFailed(fields={"status": [_("Choose a status of this list.")]})
        cleaned["status"] = str(raw["status"])
    for name, allowed in (("batch", kind.batch_field), ("city", kind.city_field)):
        if raw.get(name) not in (None, ""):
            if not allowed:
                raise ValidationFailed(fields={name: [_("This list cannot be filtered this way.")]})
            cleaned[name] = _int(raw[name], name)
    if kind.code == "audit":
        search = audit_trail.parse_search({k: str(v) for k, v in raw.items() if v not in (None, "")})
        cleaned = {**search.as_filters()}
    return cleaned


def queryset(kind: Kind, user, filters: dict) -> QuerySet:
    """The kind's rows this user may see, filtered; ordered for a stable file."""
    if kind.code == "audit":
        rows = audit_trail.search_events(user, audit_trail.parse_search(filters), every_row=True)
        return rows.order_by("-pk")
    rows = kind.rows(user)
    if filters.get("since"):
        day = date.fromisoformat(filters["since"])
        rows = rows.filter(
            **{f"{kind.date_field}__gte": timezone.make_aware(datetime.combine(day, datetime.min.time()))}
        )
    if filters.get("until"):
        day = date.fromisoformat(filters["until"])
        end = timezone.make_aware(datetime.combine(day, datetime.max.time()))
        rows = rows.filter(**{f"{kind.date_field}__lte": end})
    if filters.get("status"):
        rows = rows.filter(**{kind.status_field: filters["status"]})
    if filters.get("batch"):
        rows = rows.filter(**{kind.batch_field: filters["batch"]})
    if filters.get("city"):
        rows = rows.filter(**{kind.city_field: filters["city"]})
    return rows.order_by(*kind.order_by)


def headers(kind: Kind) -> list[str]:
    return [str(column.header) for column in kind.columns] + [str(h) for h in kind.extra_headers]


def _remembering(convert: Callable | None) -> Callable | None:
    if not getattr(convert, "memo", False):
        return convert
    known: dict = {}

    def remembered(value):
        if value not in known:
            known[value] = convert(value)
        return known[value]

    return remembered


def rows(kind: Kind, user, filters: dict) -> Iterator[list]:
    """Every row as cell values, streamed from the database CHUNK rows at a time."""
    # Read from the replica when there is one (the rows are a report, never a rule's input).
    values = using_replica(queryset(kind, user, filters).values_list(*[column.path for column in kind.columns]))
    converters = [_remembering(column.convert) for column in kind.columns]

    def convert(row):
        cells = [f(v) if f else v for f, v in zip(converters, row, strict=False)]
        cells += list(row[len(converters) :])
        return cells

    if kind.decorate is None:
        for row in values.iterator(chunk_size=CHUNK):
            yield convert(row)
        return
    chunk = []
    for row in values.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from (convert(r) for r in kind.decorate(chunk))
            chunk = []
    if chunk:
        yield from (convert(r) for r in kind.decorate(chunk))


def write(kind: Kind, fmt: str, header: list[str], body: Iterator[list], *, on_progress=None):
    """Write the rows to a temporary file in XLSX or CSV; returns (open binary file at 0, rows written).
    `on_progress(rows_written)` is called every CHUNK rows."""
    out = tempfile.TemporaryFile()
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(csv_row(header))
        for row in body:
            writer.writerow(csv_row(_csv_value(v) for v in row))
            count += 1
            if on_progress and count % CHUNK == 0:
                on_progress(count)
        text.flush()
        text.detach()
    else:
        book = write_only_book()
        sheet = book.create_sheet(title=str(kind.label)[:31])
        sheet.append(xlsx_row(sheet, header))
        for row in body:
            sheet.append(xlsx_row(sheet, row))
            count += 1
            if on_progress and count % CHUNK == 0:
                on_progress(count)
        book.save(out)
    out.seek(0)
    return out, count


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value
