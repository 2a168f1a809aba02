"""The actuals sheet of an Excel workbook (.xlsx), read into the CSV import's rows.

Same columns (kpi, date, value, note, header in the first row), same checks and messages, same
all-or-nothing commit: only reading the cells differs.
- The sheet named "Actuals" (as the export writes it), else the first sheet.
- Dates: real dates, or text written 2026-07-31. Values: numbers, or text as in a CSV file; a
  number formatted as a percent is read as shown (12.5 % is 12.5, as percent KPIs hold it).
  Numbers are read to the 15 significant digits a spreadsheet shows: 0.30000000000000004 is 0.3.
- Formulas: the result the spreadsheet program saved with the file, as the user saw it. A
  formula saved without a result (files written by some programs) is an error on its row.
- Safety: the file is opened only if its zip directory says it unpacks to at most
  UNPACKED_MAX bytes in at most PARTS_MAX parts (zipfile never unpacks more than a part's
  listed size), then read with openpyxl in read-only mode, row by row; formulas never run.

The preview's confirmation carries the rows as CSV text (`as_csv`), checked again on import,
with each row on its sheet row's line so that line numbers stay those of the sheet.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.read_only import ReadOnlyCell

from kpis.actuals import csv_import
from kpis.actuals.csv_export import safe_cell
from kpis.actuals.csv_import import HEADER, MAX_BYTES, MAX_ROWS, ImportRefused, Preview, Row
from plans.models import Plan

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected workbook
UNPACKED_MAX = 10 * MAX_BYTES
PARTS_MAX = 1000
SHEET = "actuals"

NOT_XLSX = (
    "The file is not an Excel workbook (.xlsx) that can be read. Open it in your spreadsheet "
    "program and save it as “Excel Workbook (.xlsx)” or “CSV UTF-8”, then upload it again."
)
OLD_OR_LOCKED = (
    "The file is an Excel 97–2003 workbook (.xls) or protected by a password. Save it as "
    "“Excel Workbook (.xlsx)” without a password, or as “CSV UTF-8”, and upload it again."
)
UNPACKS_TOO_LARGE = (
    f"The workbook unpacks to more than {UNPACKED_MAX // (1024 * 1024)} MB. Keep only the "
    "actuals sheet, or split it into smaller files, and import them one after the other."
)
CSV_TOO_LARGE = (
    f"The actuals sheet holds more than {MAX_BYTES // (1024 * 1024)} MB of text, the most an "
    "import takes. Split it into smaller files and import them one after the other."
)


def is_spreadsheet(name: str, data: bytes) -> bool:
    """An Excel file by its name or by its first bytes (a zip, or an old binary workbook)."""
    named = name.lower().endswith((".xlsx", ".xlsm", ".xls"))
    return named or data.startswith((ZIP_MAGIC, OLE_MAGIC))


def _workbook(data: bytes, *, data_only: bool) -> Any:
    if len(data) > MAX_BYTES:
        raise ImportRefused(csv_import.TOO_LARGE)
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(OLD_OR_LOCKED)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise ImportRefused(NOT_XLSX) from None
    if len(parts) > PARTS_MAX or sum(part.file_size for part in parts) > UNPACKED_MAX:
        raise ImportRefused(UNPACKS_TOO_LARGE)
    try:
        return load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds on a broken file; each means the same here
        raise ImportRefused(NOT_XLSX) from None


def _sheet_rows(
    data: bytes, *, data_only: bool, formulas: frozenset[str] = frozenset()
) -> list[tuple[int, tuple[ReadOnlyCell, ...]]]:
    """The actuals sheet's non-blank rows with their row numbers, cells as stored (a cell at
    one of `formulas` counts as filled, result or none)."""
    workbook = _workbook(data, data_only=data_only)
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
        if not sheets:
            raise ImportRefused(NOT_XLSX)
        sheet = sheets.get(SHEET) or workbook.worksheets[0]
        sheet.reset_dimensions()  # a sheet's stated size may be wrong; read what is there
        return list(_non_blank(sheet.iter_rows(), formulas))
    except ImportRefused:
        raise
    except Exception:  # broken XML inside a sheet shows only while it is read
        raise ImportRefused(NOT_XLSX) from None
    finally:
        workbook.close()


def _non_blank(
    rows: Iterator[tuple[Any, ...]], formulas: frozenset[str]
) -> Iterator[tuple[int, tuple[ReadOnlyCell, ...]]]:
    """Rows with something in them, numbered as on the sheet; the header and MAX_ROWS at most."""
    count = 0
    for number, cells in enumerate(rows, start=1):
        if any(_filled(cell) or getattr(cell, "coordinate", "") in formulas for cell in cells):
            count += 1
            if count > MAX_ROWS + 1:
                raise ImportRefused(csv_import.TOO_MANY_ROWS)
            yield number, cells


def _filled(cell: Any) -> bool:
    value = getattr(cell, "value", None)
    return value is not None and not (isinstance(value, str) and not value.strip())


def _number_text(value: int | float, number_format: str) -> str:
    """A number as its cell shows it: 15 significant digits, a percent as percent points."""
    number = Decimal(value) if isinstance(value, int) else Decimal(f"{value:.15g}")
    if "%" in re.sub(r'"[^"]*"|\\.', "", number_format):  # not a quoted or escaped "%"
        number = number.scaleb(2)
    return format(number.normalize(), "f") if number else "0"


def _text(value: Any, number_format: str) -> str:
    """Any cell as the text a CSV file would hold (KPI names and notes may be numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return _number_text(value, number_format)
    return str(value).strip()


def _date_problem(value: Any, text: str) -> str | None:
    """What is wrong with a date cell that its text alone would not tell."""
    if isinstance(value, datetime) and value.time() != time(0):
        return f"“{text}” has a time of day; give the date only."
    if isinstance(value, time | timedelta):
        return f"“{value}” is a time, not a date like 2026-07-31."
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"“{text}” is a number, not a date: format the cell as a date or write 2026-07-31."
    return None


def _value_problem(value: Any, text: str) -> str | None:
    if isinstance(value, date | time | timedelta):
        return f"“{text}” is a date or time, not a number: format the cell as a number."
    return None


def _row(number: int, cells: tuple[Any, ...], formulas: frozenset[str]) -> Row:
    """A sheet row as the CSV import's row, with what is wrong with its cells."""
    padded = [*cells[: len(HEADER)], *[None] * len(HEADER)][: len(HEADER)]
    values = [getattr(cell, "value", None) for cell in padded]
    formats = [getattr(cell, "number_format", "") or "" for cell in padded]
    kpi, day, value, note = (_text(v, f) for v, f in zip(values, formats, strict=True))
    row = Row(
        line=number,
        kpi_name=kpi,  # a text cell is text: no quote to take off, as CSV files need
        raw_date=day,
        raw_value=value,
        note=note,
    )
    extra = [cell.coordinate for cell in cells[len(HEADER) :] if _filled(cell)]
    if extra:
        row.errors.append(f"Cell {extra[0]} is beyond the four columns kpi, date, value, note.")
    for name, text in (("KPI name", kpi), ("note", note)):
        if "\n" in text or "\r" in text:
            row.errors.append(f"The {name} holds a line break; keep it on one line.")
    problems: dict[str, str | None] = {
        "date": _date_problem(values[1], day),
        "value": _value_problem(values[2], value),
    }
    for column, cell in zip(HEADER, padded, strict=True):
        coordinate = getattr(cell, "coordinate", "")
        if coordinate in formulas and getattr(cell, "value", None) is None:
            problems[column] = (
                f"Cell {coordinate} is a formula saved without its result: open the file in "
                "your spreadsheet program and save it again, or paste the values only."
            )
    row.unreadable = {column: problem for column, problem in problems.items() if problem}
    for column in ("kpi", "note"):  # checking the text says nothing of these: say it here
        if column in row.unreadable:
            row.errors.append(row.unreadable.pop(column))
    return row


def read_rows(data: bytes) -> list[Row]:
    """The actuals sheet's rows, unchecked against the plan; ImportRefused for the whole file."""
    rows = _sheet_rows(data, data_only=False)
    formulas = frozenset(
        cell.coordinate for _, cells in rows for cell in cells if cell.data_type == "f"
    )
    if formulas:  # read again for the results saved with the formulas
        rows = _sheet_rows(data, data_only=True, formulas=formulas)
    if not rows:
        raise ImportRefused(csv_import.EMPTY)
    (first, header), *body = rows
    if first != 1:
        raise ImportRefused("The header kpi,date,value,note must be in the sheet's first row.")
    csv_import.check_header([_text(cell.value, "") for cell in header if _filled(cell)])
    if not body:
        raise ImportRefused(csv_import.NO_ROWS)
    if len(body) > MAX_ROWS:
        raise ImportRefused(csv_import.TOO_MANY_ROWS)
    return [_row(number, cells, formulas) for number, cells in body]


def as_csv(rows: list[Row]) -> str:
    """The rows as CSV text for the confirmation, each on the line of its sheet row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    line = 1
    for row in rows:
        out.write("\n" * (row.line - line - 1))  # blank lines are skipped, and keep the count
        writer.writerow([safe_cell(row.kpi_name), row.raw_date, row.raw_value, safe_cell(row.note)])
        line = row.line
    return out.getvalue()


def preview_upload(plan: Plan, name: str, data: bytes) -> tuple[Preview, str]:
    """An uploaded file, CSV or Excel, checked; and the CSV text its confirmation carries."""
    if not is_spreadsheet(name, data):
        text = csv_import.decode(data)
        return csv_import.preview_actuals(plan, text), text
    rows = read_rows(data)
    text = as_csv(rows)
    if len(text.encode()) > MAX_BYTES:
        raise ImportRefused(CSV_TOO_LARGE)
    return csv_import.validate(plan, rows), text
