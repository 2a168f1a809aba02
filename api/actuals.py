"""Actuals sent to the API: checked by the rules the forms and the CSV import use (the numeric
and date policies, `refusal`), then written by `record_actuals`, all rows or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

from api.schemas import ActualIn, BulkActualIn
from kpis.actuals.csv_import import NOTE_MAX
from kpis.actuals.recording import Actual, Recorded, record_actuals, refusal
from kpis.models import Source
from plans.models import KPI, Plan
from race_planner.dates import RANGE_MESSAGE, in_range
from race_planner.numbers import parse_value


@dataclass(frozen=True)
class Checked:
    actuals: list[Actual]
    errors: dict[int, list[str]]  # row index → what is wrong with it


def _check(kpi: KPI, row: ActualIn) -> tuple[Actual | None, list[str]]:
    errors = []
    if not in_range(row.date):
        errors.append(f"{row.date.isoformat()}: {RANGE_MESSAGE}")
    value, problem = parse_value(str(row.value).strip())
    if value is not None:
        problem = refusal(kpi, value)
    if problem:
        errors.append(problem)
    if len(row.note) > NOTE_MAX:
        errors.append(f"The note is longer than {NOTE_MAX} characters.")
    if errors or value is None:
        return None, errors
    return Actual(kpi=kpi, on=row.date, value=value, note=row.note.strip()), []


def check_one(kpi: KPI, row: ActualIn) -> Checked:
    actual, errors = _check(kpi, row)
    return Checked([actual] if actual else [], {0: errors} if errors else {})


def check_many(plan: Plan, rows: Sequence[BulkActualIn]) -> Checked:
    """Every row checked against the plan's KPIs and the rows before it: one query."""
    kpis = {kpi.pk: kpi for kpi in KPI.objects.filter(plan=plan)}
    seen: dict[tuple[int, date], int] = {}
    actuals, errors = [], {}
    for index, row in enumerate(rows):
        kpi = kpis.get(row.kpi)
        if kpi is None:
            errors[index] = [f"No KPI with id {row.kpi} in this plan."]
            continue
        actual, problems = _check(kpi, row)
        if (kpi.pk, row.date) in seen:
            problems.append(f"Same KPI and date as row {seen[(kpi.pk, row.date)]}.")
        seen.setdefault((kpi.pk, row.date), index)
        if problems:
            errors[index] = problems
        elif actual:
            actuals.append(actual)
    return Checked(actuals, errors)


def write(checked: Checked, *, user: User) -> Recorded:
    """Record a fully checked request as the token's user, "Via API" in the plan's history."""
    if checked.errors:
        raise ValueError("Only rows without errors can be recorded.")
    return record_actuals(checked.actuals, source=Source.API, user=user)
