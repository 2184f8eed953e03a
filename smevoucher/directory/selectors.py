"""Reads of the directory: the eligibility look-up (R1) and the province unit's list."""

from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smevoucher.core import clock

from .models import Entry, Level
from .names import clean_name, name_key

LEVEL_ORDER = [Level.NATIONAL, Level.PROVINCIAL, Level.MUNICIPAL, Level.GZ_STATION]


@dataclass(frozen=True)
class Eligibility:
    """The answer to "may this name register?": a stable code, the entry found, and a message for people."""

    code: str  # eligible | not_listed | expired | inactive | registered | empty
    message: str
    entry: Entry | None = None

    @property
    def eligible(self) -> bool:
        return self.code == "eligible"


def entry_is_valid(entry: Entry, on=None) -> bool:
    """Active and not past its last day for receiving vouchers (local calendar day, R14)."""
    return entry.active and entry.valid_until >= (on or clock.today())


def _ranked(entries) -> list[Entry]:
    """The entry that decides: a valid one first, the higher level first, then the latest last day."""
    return sorted(
        entries, key=lambda e: (not entry_is_valid(e), LEVEL_ORDER.index(e.level), -e.valid_until.toordinal())
    )


def eligibility(name: str) -> Eligibility:
    """R1: only an organisation whose full name is in the directory (compared without surrounding spaces and
    full-/half-width differences) with an active entry still valid today may register, and only once."""
    key = name_key(name)
    if not key:
        return Eligibility("empty", _("Enter the organisation's full name as on its business licence."))
    entries = list(Entry.objects.filter(name_key=key).select_related("city"))
    if not entries:
        return Eligibility(
            "not_listed",
            _(
                "“%(name)s” is not in the directory of eligible platforms, so it cannot register. Check that you "
                "entered the full name exactly as on the business licence; if it should be listed, contact the "
                "province handling unit."
            )
            % {"name": clean_name(name)},
        )
    if Entry.objects.filter(name_key=key, provider__isnull=False).exists():
        return Eligibility(
            "registered",
            _("This organisation has already registered. Log in with its account; only one registration is allowed."),
            entries[0],
        )
    entry = _ranked(entries)[0]
    if not entry.active:
        return Eligibility(
            "inactive", _("The directory entry of this organisation is no longer active, so it cannot register."), entry
        )
    if not entry_is_valid(entry):
        return Eligibility(
            "expired",
            _("The directory entry of this organisation expired on %(date)s, so it cannot register.")
            % {"date": date_format(entry.valid_until, "Y-m-d")},
            entry,
        )
    return Eligibility(
        "eligible",
        _("“%(name)s” is eligible (%(level)s). Continue with the registration.")
        % {"name": entry.name, "level": entry.get_level_display()},
        entry,
    )


def entries_for_list(*, query: str = "", level: str = "", state: str = "") -> QuerySet[Entry]:
    entries = Entry.objects.select_related("city").annotate(
        level_rank=Case(
            *[When(level=value, then=Value(i)) for i, value in enumerate(LEVEL_ORDER)], output_field=IntegerField()
        ),
        registered=Exists(Entry.objects.filter(pk=OuterRef("pk"), provider__isnull=False)),
    )
    if query:
        # The name as the directory keys it, or the source document's title or number (issue 13).
        entries = entries.filter(Q(name_key__contains=name_key(query)) | Q(source__icontains=query))
    if level in Level.values:
        entries = entries.filter(level=level)
    today = clock.today()
    if state == "valid":
        entries = entries.filter(active=True, valid_until__gte=today)
    elif state == "expired":
        entries = entries.filter(active=True, valid_until__lt=today)
    elif state == "inactive":
        entries = entries.filter(active=False)
    return entries.order_by("level_rank", "name", "pk")


def import_preview(import_id: int, *, limit: int = 200) -> dict:
    """What confirming a checked sheet will do (issue 13): the counts of rows it adds, updates or leaves as they
    are, and the first rows of each kind to read before confirming."""
    from .models import Import, Level

    rows = Import.objects.filter(pk=import_id).values_list("rows", flat=True).first() or []
    preview = {"create": [], "update": [], "unchanged": []}
    counts = dict.fromkeys(preview, 0)
    for row in rows:
        action = row.get("action", "create")
        counts[action] += 1
        if len(preview[action]) < limit:
            preview[action].append({**row, "level_label": Level(row["level"]).label})
    return {"counts": counts, "rows": preview, "limit": limit}
