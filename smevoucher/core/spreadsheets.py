"""Every XLSX and CSV the project writes takes its rows from here, so a text cell stays text.

A cell that starts with =, +, -, @, tab or CR is run as a formula by spreadsheet programs (formula
injection: an invoice number "=HYPERLINK(...)" would become a live link). In XLSX such a value is written
with the string type, never the formula type; in CSV, which has no types, it gets a leading apostrophe
(the OWASP advice), which Excel and WPS show as text.
"""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def write_only_book():
    """A new streamed (write-only) workbook. openpyxl is imported here, when a file is written: it takes about
    0.1 s to import, which every process would otherwise pay at start-up."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


def xlsx_row(sheet, values: Iterable) -> list:
    """The row to `sheet.append(...)` (normal or write-only sheet): text that looks like a formula is typed
    as a string cell, everything else goes in as it is."""
    row = []
    for value in values:
        if looks_like_formula(value):
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row


def csv_row(values: Iterable) -> list:
    """The row for `csv.writer(...).writerow(...)`: formula-like text prefixed with an apostrophe."""
    return ["'" + value if looks_like_formula(value) else value for value in values]
