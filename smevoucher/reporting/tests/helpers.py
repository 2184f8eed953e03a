import csv
import io
import zipfile

from openpyxl import load_workbook

from smevoucher.reporting import exports


def export_table(user, code: str, fmt: str = "xlsx", **filters) -> list[list]:
    """The file an export of this kind writes for this user, read back: the header row, then the rows."""
    kind = exports.kind_for(user, code)
    cleaned = exports.clean_filters(kind, filters)
    handle, _count = exports.write(kind, fmt, exports.headers(kind), exports.rows(kind, user, cleaned))
    return read_table(handle.read(), fmt)


def read_table(content: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return [row for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def has_formula(content: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheets = [package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    return any(b"<f>" in xml or b"<f " in xml for xml in sheets)


def column(table: list[list], header: str) -> list:
    index = table[0].index(header)
    return [row[index] for row in table[1:]]
