"""The directory template is written through the one spreadsheet helper: text that looks like a formula is text."""

import io

import pytest
from openpyxl import load_workbook

from smevoucher.accounts.models import City
from smevoucher.directory.sheets import template_bytes

pytestmark = pytest.mark.django_db


def test_a_formula_like_city_name_in_the_template_stays_text():
    City.objects.create(code="440000", name='=HYPERLINK("x")', name_en="X", slug="x-injected")
    book = load_workbook(io.BytesIO(template_bytes()))
    notes = book["填写说明"]
    cell = next(row[1] for row in notes.iter_rows() if row[0].value == "地市名称")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")  # the first city, by code
    assert all(c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
