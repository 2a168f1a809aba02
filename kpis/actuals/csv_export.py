"""CSV export of actuals, in the import's format, so an export can be imported again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from kpis.actuals.csv_import import FORMULA_START, HEADER
from kpis.models import Measurement
from plans.models import Plan


def safe_cell(value: str) -> str:
    """A text cell that spreadsheet programs show as text, never run as a formula. A text that
    starts with the quote itself ("'=x") gets one more, so the import gives it back unchanged."""
    if value.lstrip("'").startswith(FORMULA_START):
        return "'" + value
    return value


def export_rows(measurements: Iterable[Measurement]) -> Iterable[list[str]]:
    """Rows in the import format, the header first, so an export can be imported again."""
    yield list(HEADER)
    for m in measurements:
        yield [
            safe_cell(m.kpi.name),
            m.date.isoformat(),
            format(m.value.normalize(), "f"),
            safe_cell(m.note),
        ]


def export_csv(plan: Plan) -> str:
    measurements = (
        Measurement.objects.of_live_kpis()
        .filter(kpi__plan=plan)
        .select_related("kpi")
        .order_by("kpi__stage", "kpi__position", "kpi__name", "date")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(export_rows(measurements))
    return out.getvalue()
