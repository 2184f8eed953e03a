import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from smevoucher.core.spreadsheets import csv_row, xlsx_row

INJECTIONS = ['=HYPERLINK("http://evil.example","点此")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_rows_keep_formula_like_text_as_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    sheet.append(xlsx_row(sheet, [*INJECTIONS, 42, "普通文字"]))
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as package:
        sheet_xml = next(package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    cells = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows(values_only=True))
    assert list(cells) == [*INJECTIONS, 42, "普通文字"]


def test_csv_rows_prefix_formula_like_text_with_an_apostrophe():
    out = io.StringIO()
    csv.writer(out).writerow(csv_row([*INJECTIONS, 42, "a=b"]))
    values = next(csv.reader(io.StringIO(out.getvalue())))
    assert values[: len(INJECTIONS)] == ["'" + v for v in INJECTIONS]
    assert values[-2:] == ["42", "a=b"]
