"""The directory of eligible platforms (R1), kept by the province unit: edit, deactivate, import a sheet."""

from datetime import date

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.accounts.models import City
from smevoucher.core import audit, jobs
from smevoucher.core.errors import ValidationFailed

from . import sheets
from .models import CITY_LEVELS, Entry, Import, Level
from .names import clean_name, name_key

PROGRESS_EVERY = 200  # rows between progress writes while a sheet is checked
MAX_SHEET_BYTES = 20 * 1024 * 1024


def _require_keeper(actor) -> None:
    if not actor.has_perm("directory.manage_directory"):
        raise Http404


def _checked(*, name, level, city, recognition_year, valid_until, source) -> tuple[dict, dict]:
    """(clean values, errors by field) for one entry, the same rules for the form, the API and each sheet row."""
    errors: dict[str, list[str]] = {}
    name = clean_name(name)
    if not name:
        errors["name"] = [_("Enter the organisation's full name.")]
    if level not in Level.values:
        errors["level"] = [_("Choose the level: national, provincial, municipal or Guangzhou SME service station.")]
    if level in CITY_LEVELS and city is None:
        errors["city"] = [_("Municipal platforms and service stations need their city.")]
    if level not in CITY_LEVELS:
        city = None  # national and provincial platforms serve every city (R2)
    if not isinstance(recognition_year, int) or not 1990 <= recognition_year <= 2100:
        errors["recognition_year"] = [_("Enter the year of recognition as four digits, e.g. 2019.")]
    if not isinstance(valid_until, date):
        errors["valid_until"] = [_("Enter the last day it may receive vouchers, e.g. 2020-12-31.")]
    elif isinstance(recognition_year, int) and valid_until.year < recognition_year:
        errors["valid_until"] = [_("The last day to receive vouchers is before the year of recognition.")]
    values = {
        "name": name,
        "level": level,
        "city": city,
        "recognition_year": recognition_year,
        "valid_until": valid_until,
        "source": (source or "").strip()[:300],
    }
    return values, errors


def _snapshot(entry: Entry) -> dict:
    return {
        "name": entry.name,
        "level": entry.level,
        "city": entry.city.code if entry.city_id else None,
        "recognition_year": entry.recognition_year,
        "valid_until": entry.valid_until,
        "source": entry.source,
        "active": entry.active,
    }


def _duplicate_error():
    return ValidationFailed(fields={"name": [_("This organisation is already in the directory at this level.")]})


@transaction.atomic
def entry_create(*, actor, name: str, level: str, city: City | None, recognition_year, valid_until, source="") -> Entry:
    """Add one organisation to the directory."""
    _require_keeper(actor)
    values, errors = _checked(
        name=name, level=level, city=city, recognition_year=recognition_year, valid_until=valid_until, source=source
    )
    if errors:
        raise ValidationFailed(fields=errors)
    key = name_key(values["name"])
    if Entry.objects.filter(name_key=key, level=values["level"]).exists():
        raise _duplicate_error()
    try:
        with transaction.atomic():
            entry = Entry.objects.create(name_key=key, **values)
    except IntegrityError as exc:
        raise _duplicate_error() from exc
    audit.record(actor, "directory.entry_created", entry, after=_snapshot(entry))
    return entry


@transaction.atomic
def entry_update(
    *, actor, entry_id: int, name: str, level: str, city: City | None, recognition_year, valid_until, source=""
) -> Entry:
    """Correct an entry (e.g. extend the date until which it may receive vouchers)."""
    _require_keeper(actor)
    entry = Entry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    values, errors = _checked(
        name=name, level=level, city=city, recognition_year=recognition_year, valid_until=valid_until, source=source
    )
    if errors:
        raise ValidationFailed(fields=errors)
    key = name_key(values["name"])
    if Entry.objects.filter(name_key=key, level=values["level"]).exclude(pk=entry.pk).exists():
        raise _duplicate_error()
    city_id = values["city"].pk if values["city"] else None
    registered = Entry.objects.filter(pk=entry.pk, provider__isnull=False).exists()
    if registered and (values["level"] != entry.level or city_id != entry.city_id):
        # The provider's review route (R4) and service scope (R2) were fixed by this entry when it registered.
        raise ValidationFailed(
            fields={
                "level": [
                    _(
                        "An organisation has registered with this entry: its level and city can no longer change. "
                        "Add an entry for the new level instead."
                    )
                ]
            }
        )
    before = _snapshot(entry)
    for field, value in values.items():
        setattr(entry, field, value)
    entry.name_key = key
    entry.save()
    if before != _snapshot(entry):
        audit.record(actor, "directory.entry_updated", entry, before=before, after=_snapshot(entry))
    return entry


@transaction.atomic
def entry_set_active(*, actor, entry_id: int, active: bool, reason: str = "") -> Entry:
    """Deactivate an entry (it can no longer start a registration) or make it active again."""
    _require_keeper(actor)
    entry = Entry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    if entry.active == active:
        return entry  # a repeated click finds the work done
    entry.active = active
    entry.save(update_fields=["active", "updated_at"])
    audit.record(
        actor,
        "directory.entry_activated" if active else "directory.entry_deactivated",
        entry,
        before={"active": not active},
        after={"active": active},
        reason=reason,
    )
    return entry


# --- Import from a sheet --------------------------------------------------------------------------------------


@transaction.atomic
def directory_import_upload(*, actor, filename: str, content: bytes) -> Import:
    """Store an uploaded sheet and queue its row-by-row check. Nothing goes into the directory yet."""
    _require_keeper(actor)
    if not content:
        raise ValidationFailed(fields={"file": [_("Choose the Excel file to import.")]})
    if len(content) > MAX_SHEET_BYTES:
        raise ValidationFailed(fields={"file": [_("The file is larger than 20 MB; split the sheet.")]})
    if not content.startswith(b"PK"):
        raise ValidationFailed(fields={"file": [_("The file is not an Excel workbook (.xlsx).")]})
    job = Import.objects.create(filename=(filename or "directory.xlsx")[:200], content=content, uploaded_by=actor)
    audit.record(actor, "directory.import_uploaded", job, after={"filename": job.filename, "size": len(content)})
    jobs.queue_after_commit("smevoucher.directory.tasks.check_directory_import", job.pk)
    return job


def _row_values(raw: dict, cities: dict) -> tuple[dict, list[str]]:
    level_text = sheets.text(raw["level"])
    level = sheets.LEVEL_WORDS.get(level_text, level_text if level_text in Level.values else "")
    city_text = sheets.text(raw["city"])
    city = cities.get(city_text) or cities.get(city_text + "市") if city_text else None
    year_text = sheets.text(raw["recognition_year"])
    year = int(year_text) if year_text.isdigit() else None
    values, errors = _checked(
        name=sheets.text(raw["name"]),
        level=level,
        city=city,
        recognition_year=year,
        valid_until=sheets.parse_date(raw["valid_until"]),
        source=sheets.text(raw["source"]),
    )
    messages = [message for field_errors in errors.values() for message in field_errors]
    if city_text and city is None and level in CITY_LEVELS:
        messages = [_("Unknown city: %(city)s.") % {"city": city_text}] + [
            m for m in messages if m not in errors.get("city", [])
        ]
    return values, messages


def directory_import_check(*, import_id: int) -> Import:
    """Check every row, writing progress as it goes; list each row's problems. Saves no entry."""
    job = Import.objects.filter(pk=import_id, status=Import.Status.CHECKING).first()
    if job is None:
        return Import.objects.get(pk=import_id)  # already checked: nothing to do
    cities = {}
    for city in City.objects.all():
        cities.update({city.name: city, city.code: city, city.name.removesuffix("市"): city})
    errors, rows, seen = [], [], {}
    try:
        total, iterator = sheets.read_rows(bytes(job.content))
    except sheets.SheetError as exc:
        Import.objects.filter(pk=job.pk).update(status=Import.Status.INVALID, errors=[{"row": 0, "message": str(exc)}])
        return Import.objects.get(pk=job.pk)
    Import.objects.filter(pk=job.pk).update(total_rows=total)
    processed = 0
    for number, raw in iterator:
        values, messages = _row_values(raw, cities)
        if sheets.is_example(values["name"]):  # issue 13: the template's sample row is never imported
            messages = [_("This is the template's example row: delete it, then upload the sheet again.")]
        key = (name_key(values["name"]), values["level"])
        if not messages and key in seen:
            messages = [_("The same organisation and level is already in row %(row)s.") % {"row": seen[key]}]
        seen.setdefault(key, number)
        for message in messages:
            errors.append({"row": number, "name": values["name"], "message": str(message)})
        if not messages:
            rows.append(
                {
                    "row": number,
                    **values,
                    "city": values["city"].pk if values["city"] else None,
                    "valid_until": values["valid_until"].isoformat(),
                }
            )
        processed += 1
        if processed % PROGRESS_EVERY == 0:
            Import.objects.filter(pk=job.pk).update(processed_rows=processed)
    if not rows and not errors:
        errors.append({"row": 0, "name": "", "message": _("The sheet has no rows to import.")})
    status = Import.Status.INVALID if errors else Import.Status.READY
    if not errors:
        for row, entry, changed in _plan(rows):  # the preview: what confirming will add or update
            row["action"] = "create" if entry is None else ("update" if changed else "unchanged")
    Import.objects.filter(pk=job.pk).update(
        status=status, processed_rows=processed, total_rows=processed, errors=errors, rows=rows
    )
    return Import.objects.get(pk=job.pk)


def _entry_values(row: dict) -> dict:
    return {
        "name": row["name"],
        "level": row["level"],
        "city_id": row["city"],
        "recognition_year": row["recognition_year"],
        "valid_until": date.fromisoformat(row["valid_until"]),
        "source": row["source"],
        "active": True,
    }


def _plan(rows: list[dict], *, lock: bool = False):
    """(row, the entry it updates or None for a new one, whether anything changes) for every checked row; the
    check's preview and the import itself use the same plan. Entries are read in chunks (set-based)."""
    existing = {}
    keys = sorted({name_key(row["name"]) for row in rows})
    entries = Entry.objects.select_for_update() if lock else Entry.objects.all()
    for start in range(0, len(keys), 1000):
        for entry in entries.filter(name_key__in=keys[start : start + 1000]):
            existing[(entry.name_key, entry.level)] = entry
    for row in rows:
        entry = existing.get((name_key(row["name"]), row["level"]))
        values = _entry_values(row)
        changed = entry is not None and any(getattr(entry, field) != value for field, value in values.items())
        yield row, entry, changed


@transaction.atomic
def directory_import_apply(*, actor, import_id: int) -> Import:
    """Put a checked sheet into the directory in one transaction: new entries are created, entries already
    listed (same name and level) updated and made active. A sheet with any error is never applied."""
    _require_keeper(actor)
    job = Import.objects.select_for_update().filter(pk=import_id).first()
    if job is None:
        raise Http404
    if job.status == Import.Status.DONE:
        return job  # a repeated click finds the work done
    if job.status != Import.Status.READY:
        raise ValidationFailed(_("Only a sheet that was checked without errors can be imported."))
    created, updated = [], []
    for row, entry, changed in _plan(job.rows, lock=True):
        values = _entry_values(row)
        if entry is None:
            created.append(Entry(name_key=name_key(row["name"]), **values))
        elif changed:
            for field, value in values.items():
                setattr(entry, field, value)
            updated.append(entry)
    Entry.objects.bulk_create(created, batch_size=500)
    Entry.objects.bulk_update(
        updated, ["name", "city_id", "recognition_year", "valid_until", "source", "active"], batch_size=500
    )
    job.status, job.created, job.updated = Import.Status.DONE, len(created), len(updated)
    job.save(update_fields=["status", "created", "updated"])
    audit.record(
        actor,
        "directory.imported",
        job,
        after={
            "filename": job.filename,
            "created": [f"{e.name} [{e.level}]" for e in created],
            "updated": [f"{e.name} [{e.level}]" for e in updated],
        },
    )
    return job
