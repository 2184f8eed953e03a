"""The directory sheet (XLSX): its columns, the downloadable template, and reading rows into plain values.
Reading only parses; the rules for what a row may contain are in services."""

import io
from collections.abc import Iterator
from datetime import date, datetime

from django.utils.translation import gettext as _

from smevoucher.accounts.models import City
from smevoucher.core.spreadsheets import xlsx_row

from .models import Level

# Column headers as printed in the template (the sheet is Chinese, like the province's own lists).
COLUMNS = [
    ("name", "机构全称"),
    ("level", "级别"),
    ("city", "所在地市"),
    ("recognition_year", "认定年份"),
    ("valid_until", "收券截止日期"),
    ("source", "认定文件"),
]
LEVEL_WORDS = {
    "国家级": Level.NATIONAL,
    "国家级示范平台": Level.NATIONAL,
    "省级": Level.PROVINCIAL,
    "省级示范平台": Level.PROVINCIAL,
    "市级": Level.MUNICIPAL,
    "市级示范平台": Level.MUNICIPAL,
    "广州市中小企业服务站": Level.GZ_STATION,
    "服务站": Level.GZ_STATION,
}
TEMPLATE_LEVELS = ["国家级", "省级", "市级", "广州市中小企业服务站"]


EXAMPLE_NAME = "广东省某某科技服务中心（示例，导入前请删除）"


def is_example(name: str) -> bool:
    """The template's sample row (or a copy of it with another name still marked as the example)."""
    return name.strip() == EXAMPLE_NAME or "示例，导入前请删除" in name or "示例,导入前请删除" in name


class SheetError(Exception):
    """The file is not a readable directory sheet at all (as opposed to a row with an error)."""


def template_bytes() -> bytes:
    from openpyxl import Workbook  # when used: see core.spreadsheets.write_only_book
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "名录"
    sheet.append(xlsx_row(sheet, [header for _key, header in COLUMNS]))
    sheet.append(xlsx_row(sheet, [EXAMPLE_NAME, "省级", "", 2017, "2020-12-31", "粤工信函〔2017〕XX号"]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9D9")
    for column, width in zip("ABCDEF", (46, 22, 12, 10, 16, 30), strict=True):
        sheet.column_dimensions[column].width = width
    levels = DataValidation(type="list", formula1='"' + ",".join(TEMPLATE_LEVELS) + '"', allow_blank=False)
    sheet.add_data_validation(levels)
    levels.add("B2:B20000")
    notes = book.create_sheet("填写说明")
    for line in [
        ["机构全称", "与营业执照一致的全称；前后空格、全角/半角括号不影响匹配"],
        ["级别", "国家级、省级、市级 或 广州市中小企业服务站"],
        ["所在地市", "市级平台和服务站必填（如 广州市）；国家级、省级留空"],
        ["认定年份", "四位年份，如 2019"],
        ["收券截止日期", "该机构可收取服务券的最后一天，格式 2020-12-31"],
        ["认定文件", "认定文件名称及文号，可留空"],
        ["", "同一机构同一级别已在名录中的，导入时更新其信息并恢复为有效"],
        ["地市名称", "、".join(City.objects.values_list("name", flat=True))],
    ]:
        notes.append(xlsx_row(notes, line))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(content: bytes) -> tuple[int, Iterator[tuple[int, dict]]]:
    """(number of data rows, iterator of (sheet row number, {column: raw value})). Blank rows are skipped."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise SheetError(_("The file is not an Excel workbook (.xlsx).")) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(cell) for cell in next(rows, ())]
    positions = {}
    for key, title in COLUMNS:
        if title not in header:
            raise SheetError(
                _("The first row must hold the template's column headers; missing: %(column)s.") % {"column": title}
            )
        positions[key] = header.index(title)
    total = max(0, (sheet.max_row or 1) - 1)

    def iterate():
        for number, row in enumerate(rows, start=2):
            cells = list(row) + [None] * len(header)
            values = {key: cells[index] for key, index in positions.items()}
            if all(_text(value) == "" for value in values.values()):
                continue
            yield number, values
        book.close()

    return total, iterate()


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    for separator_text in (text, text.replace("年", "-").replace("月", "-").rstrip("日")):
        try:
            return date.fromisoformat("-".join(part.zfill(2) for part in separator_text.split("-")))
        except ValueError:
            continue
    return None


def text(value) -> str:
    return _text(value)
