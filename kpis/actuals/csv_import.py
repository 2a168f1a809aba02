"""CSV import of actuals: one set of rules for the web page and `import_actuals`.

The contract (../shared/DESIGN.md): header `kpi,date,value,note`; `kpi` is a KPI's name within
the plan; ISO dates; `.` decimals; UTF-8 with or without BOM. A file is read and checked row by
row first (`preview_actuals`), and only a file without a single error is written
(`commit_actuals`), in one transaction. A KPI and date already measured is updated, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User

from kpis.actuals.recording import Actual, ChangedMeanwhile, record_actuals, refusal
from kpis.models import Measurement, Source
from plans.models import KPI, Plan, name_key
from race_planner.dates import RANGE_MESSAGE, in_range
from race_planner.numbers import parse_value

MAX_BYTES = settings.UPLOAD_MAX_BYTES
MAX_ROWS = 10_000
HEADER = ("kpi", "date", "value", "note")
REQUIRED = HEADER[:3]
NOTE_MAX = Measurement._meta.get_field("note").max_length or 300
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportRefused(Exception):
    """The file as a whole cannot be read; the message says what to do."""


EMPTY = "The file is empty. Its first line must be: kpi,date,value,note"
NO_ROWS = "The file has a header but no rows of actuals."
TOO_MANY_ROWS = (
    f"The file has more than {MAX_ROWS:,} rows. "
    "Split it into smaller files and import them one after the other."
)
CHANGED_MEANWHILE = (
    "Some of these actuals changed while the file was being imported, so nothing was "
    "imported. Upload the file again to see the current state."
)


@dataclass
class Row:
    line: int  # line number in the file, header = 1
    kpi_name: str
    raw_date: str
    raw_value: str
    note: str
    kpi: KPI | None = None
    on: date | None = None
    value: Decimal | None = None
    errors: list[str] = field(default_factory=list)
    # Filled in when valid: the value this replaces, or None for a new measurement.
    replaces: Decimal | None = None
    replaces_note: str = ""
    existing_id: int | None = None
    outside_period: bool = False  # saved all the same; the dashboard shows the plan period only
    # Why a spreadsheet's "date" or "value" cell cannot be read (a formula without a result, a
    # time of day): said instead of what checking its text would say.
    unreadable: dict[str, str] = field(default_factory=dict)

    @property
    def action(self) -> str:
        if self.errors:
            return "error"
        if self.existing_id is None:
            return "new"
        same_note = not self.note or self.note == self.replaces_note
        return "same" if self.replaces == self.value and same_note else "update"


@dataclass
class Preview:
    rows: list[Row]

    @property
    def errors(self) -> list[Row]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def shown(self, limit: int) -> list[Row]:
        """The rows a preview lists: the first `limit`, and every row with an error after them."""
        return self.rows[:limit] + [row for row in self.rows[limit:] if row.errors]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def outside_period(self) -> int:
        return sum(1 for row in self.rows if row.outside_period and not row.errors)

    # For templates, which cannot pass arguments.
    @property
    def count_new(self) -> int:
        return self.count("new")

    @property
    def count_update(self) -> int:
        return self.count("update")

    @property
    def count_same(self) -> int:
        return self.count("same")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


TOO_LARGE = (
    f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. "
    "Split it into smaller files and import them one after the other."
)


def decode(data: bytes) -> str:
    """The file's text, or ImportRefused saying why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            "The file is not UTF-8 text. In your spreadsheet choose “Save as… CSV UTF-8” "
            "and upload it again."
        ) from None
    if not text.strip():
        raise ImportRefused(EMPTY)
    return text


def check_header(header: list[str]) -> None:
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and ";" in names[0]:
        raise ImportRefused(
            "The file is separated by semicolons. Use commas between columns "
            "(and a point for decimals): kpi,date,value,note"
        )
    if tuple(names) not in (HEADER, REQUIRED):
        raise ImportRefused(
            f"The first line must be the header kpi,date,value,note, not “{','.join(header)}”."
        )


def unescape(cell: str) -> str:
    """Undo the export's guard against formulas: "'=x" read back is "=x", "''=x" is "'=x"."""
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_START):
        return cell[1:]
    return cell


def _row(line: int, last_line: int, cells: list[str]) -> Row:
    """A row of raw cells, with what is wrong with its shape: columns, quotes, NUL bytes."""
    padded = [*cells, "", "", "", ""]
    row = Row(
        line=line,
        kpi_name=unescape(padded[0].strip()),
        raw_date=padded[1].strip(),
        raw_value=padded[2].strip(),
        note=unescape(padded[3].strip()),
    )
    if last_line > line or any("\n" in cell or "\r" in cell for cell in cells):
        # A quote left open runs on into the next lines, which would vanish into a note.
        merged = (
            f", so lines {line} to {last_line} were read as one row" if last_line > line else ""
        )
        row.errors.append(
            f"A double quote on line {line} is not closed{merged}. Close it (a quote inside a "
            "note is written twice) and keep each row on one line."
        )
    elif not len(REQUIRED) <= len(cells) <= len(HEADER):
        columns = f"{len(cells)} column{'s' if len(cells) != 1 else ''}"
        row.errors.append(f"{columns} instead of 4; put notes with commas in double quotes.")
    if any("\x00" in cell for cell in cells):
        row.errors.append("The row holds a NUL character (invisible); remove it and try again.")
    return row


def parse(text: str) -> list[Row]:
    """Rows of the file with their raw cells; ImportRefused for a file-level problem."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(EMPTY) from None
    except csv.Error as error:
        raise ImportRefused(f"The file is not valid CSV: {error}.") from None
    check_header(header)
    rows: list[Row] = []
    line = reader.line_num + 1  # where the next row starts
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                line = reader.line_num + 1
                continue  # blank lines are harmless
            if len(rows) >= MAX_ROWS:
                raise ImportRefused(TOO_MANY_ROWS)
            rows.append(_row(line, reader.line_num, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportRefused(f"Line {reader.line_num} is not valid CSV: {error}.") from None
    if not rows:
        raise ImportRefused(NO_ROWS)
    return rows


def _parse_date(raw: str) -> tuple[date | None, str | None]:
    if not raw:
        return None, "The date is missing."
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, f"“{raw}” is not a date like 2026-07-31."
    return (day, None) if in_range(day) else (None, f"“{raw}”: {RANGE_MESSAGE}")


def validate(plan: Plan, rows: list[Row]) -> Preview:
    """Check every row against the plan's KPIs and each other; two queries whatever the size."""
    # Names match as KPI names are unique: whatever their capitals and surrounding spaces.
    kpis = {name_key(kpi.name): kpi for kpi in KPI.objects.filter(plan=plan)}
    seen: dict[tuple[int, date], int] = {}
    for row in rows:
        if not row.kpi_name:
            row.errors.append("The KPI name is missing.")
        else:
            row.kpi = kpis.get(name_key(row.kpi_name))
            if row.kpi is None:
                row.errors.append(f"No KPI called “{row.kpi_name}” in this plan.")
        date_error = row.unreadable.get("date")
        if date_error is None:
            row.on, date_error = _parse_date(row.raw_date)
        value_error = row.unreadable.get("value")
        if value_error is None:
            row.value, value_error = parse_value(row.raw_value)
        if row.value is not None and row.kpi is not None:
            value_error = refusal(row.kpi, row.value)
        row.errors.extend(error for error in (date_error, value_error) if error)
        if row.on is not None:
            row.outside_period = not plan.period_start <= row.on <= plan.period_end
        if len(row.note) > NOTE_MAX:
            row.errors.append(f"The note is longer than {NOTE_MAX} characters.")
        if row.kpi is not None and row.on is not None:
            key = (row.kpi.pk, row.on)
            if key in seen:
                row.errors.append(f"Same KPI and date as line {seen[key]}.")
            else:
                seen[key] = row.line
    existing = {
        (kpi_id, on): (pk, value, note)
        for pk, kpi_id, on, value, note in Measurement.objects.filter(kpi__plan=plan).values_list(
            "pk", "kpi_id", "date", "value", "note"
        )
    }
    for row in rows:
        if row.kpi is not None and row.on is not None:
            found = existing.get((row.kpi.pk, row.on))
            if found:
                row.existing_id, row.replaces, row.replaces_note = found
    return Preview(rows)


def preview_actuals(plan: Plan, data: bytes | str) -> Preview:
    """Read and check a file; ImportRefused when it cannot be read at all."""
    text = data if isinstance(data, str) else decode(data)
    if len(text.encode()) > MAX_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    return validate(plan, parse(text))


T = TypeVar("T")


def _checked(value: T | None) -> T:
    if value is None:
        raise ValueError("Only a checked row can be imported.")
    return value


def commit_actuals(plan: Plan, preview: Preview, *, user: User | None) -> ImportResult:
    """Write every row of an error-free preview, with history, in one transaction.

    Raises ImportRefused, with nothing written, when a value was added or deleted since.
    """
    if not preview.ok:
        raise ValueError("Only a file without errors can be imported.")
    actuals = [
        Actual(kpi=_checked(row.kpi), on=_checked(row.on), value=_checked(row.value), note=row.note)
        for row in preview.rows
    ]
    expected = {(_checked(row.kpi).pk, _checked(row.on)): row.existing_id for row in preview.rows}
    try:
        recorded = record_actuals(actuals, source=Source.CSV, user=user, expected=expected)
    except ChangedMeanwhile:
        raise ImportRefused(CHANGED_MEANWHILE) from None
    return ImportResult(
        created=len(recorded.created),
        updated=len(recorded.updated),
        unchanged=len(recorded.unchanged),
    )


def import_actuals(
    plan: Plan, data: bytes | str, *, user: User | None
) -> tuple[Preview, ImportResult | None]:
    """Preview and, when the file has no errors, commit: what the command line does."""
    preview = preview_actuals(plan, data)
    if not preview.ok:
        return preview, None
    return preview, commit_actuals(plan, preview, user=user)
