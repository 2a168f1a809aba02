"""A plan as an Excel workbook: the worksheet, the KPIs, their actuals and the tactics.

One sheet each, one record a row, so a marketer can filter, sort and pivot at once:
- Worksheet: each stage's opportunity, strategy and actions, its primary KPI and its objectives;
- KPIs: one row a KPI, with its unit, direction, baseline, target and latest actual;
- Actuals: one row a KPI and date, in the import's columns (kpi, date, value, note), so the
  sheet can be edited and imported again, CSV or .xlsx alike;
- Tactics: one row a tactic, with its channel, owner, budgets and dates.

Cells are typed: real dates, numbers formatted by the KPI's unit (a percent as a percent,
money with the plan's currency), whole numbers as whole numbers. Text is always written as
text: a note starting with "=" is a string cell with Excel's quote prefix (what Excel does for
a typed '=...), never a formula, and it reads back unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kpis.actuals.csv_import import FORMULA_START
from kpis.models import Measurement
from plans.models import KPI, Plan, Stage, Unit
from plans.worksheet.content import StageContent, load_stages

Cell = str | int | float | date | None
# (value, number format or "" for text and plain numbers)
Typed = tuple[Cell, str]

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"  # the import's format, and readable in every locale
WHOLE = "#,##0"
DECIMAL = "#,##0.0###"  # up to the four places a value may have
PERCENT_WHOLE, PERCENT = "0%", "0.0##%"
WIDEST = 60  # characters; longer text wraps
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩"}
BOLD = Font(bold=True)

WORKSHEET_HEADER = ("Stage", "Part", "Title", "Text", "Audience", "KPI", "Target date")
KPI_HEADER = (
    *("Stage", "Audience", "KPI", "Unit", "Direction", "Baseline", "Target"),
    *("Latest date", "Latest actual", "Actuals", "Definition"),
)
ACTUALS_HEADER = ("KPI", "Date", "Value", "Note")  # the import's header, whatever the case
TACTIC_HEADER = (
    *("Stage", "Audience", "Tactic", "Channel", "Media", "Owner", "Status"),
    *("Budget planned", "Budget spent", "Start", "End", "Objective"),
)
WRAP = Alignment(wrap_text=True, vertical="top")


def money_format(currency: str) -> str:
    """Cents and the plan's currency symbol: "€"#,##0.00, or "CHF "#,##0.00 without a symbol."""
    code = re.sub(r"[^A-Za-z]", "", currency).upper()  # nothing that could end the quotes
    symbol = SYMBOLS.get(code) or (f"{code} " if code else "")
    return f'"{symbol}"#,##0.00' if symbol else "#,##0.00"


def number(value: Decimal | None, unit: str, currency: str) -> Typed:
    """A KPI's value typed by its unit. A percent KPI holds 12.5 for 12.5 %; the cell holds
    0.125 formatted as a percent, which Excel shows, sums and charts as 12.5 %."""
    if value is None:
        return None, ""
    whole = value == value.to_integral_value()
    if unit == Unit.PERCENT:
        share = value / 100
        return _plain(share), PERCENT_WHOLE if whole else PERCENT
    if unit == Unit.CURRENCY:
        return _plain(value), money_format(currency)
    return _plain(value), WHOLE if whole else DECIMAL


def _plain(value: Decimal) -> int | float:
    """Whole numbers as integers; others as the float with the same digits (15 at most)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _text(sheet: WriteOnlyWorksheet, value: str, *, wrap: bool) -> WriteOnlyCell:
    # Control characters are not allowed in the file format; a visible mark keeps their place.
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"  # openpyxl would write a text starting with "=" as a formula
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    if wrap:
        cell.alignment = WRAP
    return cell


def _cell(sheet: WriteOnlyWorksheet, typed: Typed | Cell, *, wrap: bool) -> WriteOnlyCell:
    value, fmt = typed if isinstance(typed, tuple) else (typed, "")
    if isinstance(value, str):
        return _text(sheet, value, wrap=wrap)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif fmt:
        cell.number_format = fmt
    return cell


def _width(typed: Typed | Cell) -> int:
    value = typed[0] if isinstance(typed, tuple) else typed
    if isinstance(value, date):
        return 10
    if isinstance(value, int | float):
        return len(f"{value:,.2f}") + 3  # room for a currency symbol or a percent sign
    return max((len(line) for line in str(value or "").splitlines()), default=0)


def add_sheet(
    workbook: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Typed | Cell]]
) -> None:
    """A sheet with a bold, frozen header, a filter on every column and widths that fit."""
    sheet = workbook.create_sheet(title)
    widths = [len(name) + 3 for name in header]  # + the filter button
    for row in rows:
        widths = [max(w, _width(typed)) for w, typed in zip(widths, row, strict=True)]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, WIDEST)
    sheet.freeze_panes = "A2"
    last = f"{get_column_letter(len(header))}{len(rows) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    heading = []
    for name in header:
        cell = _text(sheet, name, wrap=False)
        cell.font = BOLD
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        wraps = [widths[n] > WIDEST for n in range(len(row))]
        sheet.append(
            [_cell(sheet, typed, wrap=wrap) for typed, wrap in zip(row, wraps, strict=True)]
        )


def worksheet_rows(stages: Iterable[StageContent]) -> list[list[Typed | Cell]]:
    """Each stage's texts, its primary KPI and its objectives, one part a row."""
    rows: list[list[Typed | Cell]] = []
    for content in stages:
        label, sheet = content.stage.label, content.worksheet
        for part, text in (
            ("Opportunity", sheet.opportunity),
            ("Strategy", sheet.strategy),
            ("Actions", sheet.actions),
        ):
            if text:
                rows.append([label, part, None, text, None, None, None])
        if sheet.funnel_kpi is not None:
            rows.append([label, "Primary KPI", None, None, None, sheet.funnel_kpi.name, None])
        for o in content.objectives:
            kpi = o.measured_by.name if o.measured_by else None
            audience = o.get_audience_display()
            rows.append([label, "Objective", o.title, o.description, audience, kpi, o.target_date])
    return rows


def kpi_rows(
    kpis: Iterable[KPI], actuals: dict[int, list[Measurement]], currency: str
) -> list[list[Typed | Cell]]:
    rows: list[list[Typed | Cell]] = []
    for kpi in kpis:
        values = actuals.get(kpi.pk, [])
        latest = values[-1] if values else None
        rows.append(
            [
                Stage(kpi.stage).label,
                kpi.get_audience_display(),
                kpi.name,
                kpi.get_unit_display(),
                kpi.get_direction_display(),
                number(kpi.baseline, kpi.unit, currency),
                number(kpi.target, kpi.unit, currency),
                latest.date if latest else None,
                number(latest.value if latest else None, kpi.unit, currency),
                len(values),
                kpi.definition,
            ]
        )
    return rows


def actual_rows(
    kpis: Iterable[KPI], actuals: dict[int, list[Measurement]], currency: str
) -> list[list[Typed | Cell]]:
    """The import's four columns, in the order of the KPIs sheet, oldest value first."""
    return [
        [kpi.name, m.date, number(m.value, kpi.unit, currency), m.note]
        for kpi in kpis
        for m in actuals.get(kpi.pk, [])
    ]


def tactic_rows(stages: Iterable[StageContent], currency: str) -> list[list[Typed | Cell]]:
    money = money_format(currency)
    return [
        [
            content.stage.label,
            t.get_audience_display(),
            t.title,
            t.channel,
            t.get_media_display(),
            t.owner,
            t.get_status_display(),
            (_plain(t.budget_planned), money),
            (_plain(t.budget_spent), money),
            t.start_date,
            t.end_date,
            t.objective.title if t.objective else None,
        ]
        for content in stages
        for t in content.tactics
    ]


def export_xlsx(plan: Plan) -> bytes:
    """The plan's workbook; five queries whatever its size (four for the stages, one for actuals)."""
    stages = load_stages(plan)
    kpis = [kpi for content in stages for kpi in content.kpis]
    actuals: dict[int, list[Measurement]] = {}
    for m in Measurement.objects.of_live_kpis().filter(kpi__plan=plan).order_by("date"):
        actuals.setdefault(m.kpi_id, []).append(m)
    workbook = Workbook(write_only=True)
    workbook.properties.title = plan.name
    currency = plan.currency
    add_sheet(
        workbook,
        "Worksheet",
        WORKSHEET_HEADER,
        worksheet_rows(stages),
    )
    add_sheet(
        workbook,
        "KPIs",
        KPI_HEADER,
        kpi_rows(kpis, actuals, currency),
    )
    add_sheet(workbook, "Actuals", ACTUALS_HEADER, actual_rows(kpis, actuals, currency))
    add_sheet(
        workbook,
        "Tactics",
        TACTIC_HEADER,
        tactic_rows(stages, currency),
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
