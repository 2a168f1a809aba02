"""When a KPI's actual is due, and what day it is for a user.

A KPI with a weekly cadence is due on the last day of each week of its plan's period (the
period's first day starts the weeks); monthly, on the day before the same day of the next month.
An actual counts for a due date when it is dated after the previous due date: a check-in made
the morning after still stops the reminder. Plain values in and out, tested without a database.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from plans.models import Cadence

# The longest a cycle lasts: after the period's last due date plus this, nothing is due.
CYCLE_DAYS = {Cadence.WEEKLY.value: 7, Cadence.MONTHLY.value: 31, Cadence.NONE.value: 0}


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(cadence: str, start: date, end: date) -> list[date]:
    """Every due date of a plan's period, in order (none for cadence "none")."""
    if cadence == Cadence.WEEKLY:
        return [start + timedelta(days=days) for days in range(6, (end - start).days + 1, 7)]
    if cadence == Cadence.MONTHLY:
        found = []
        months = 1
        while (due := _add_months(start, months) - timedelta(days=1)) <= end:
            found.append(due)
            months += 1
        return found
    return []


def missed_due_date(
    cadence: str, start: date, end: date, latest_actual: date | None, today: date
) -> date | None:
    """The latest due date before `today` whose actual is missing, or None.

    Only the latest one counts: a week still missing after the next due date is that date's."""
    passed = [due for due in due_dates(cadence, start, end) if due < today]
    if not passed:
        return None
    due = passed[-1]
    if (today - due).days > CYCLE_DAYS[cadence]:
        return None  # the period is over: its last check-in is history, not a reminder
    window_start = passed[-2] + timedelta(days=1) if len(passed) > 1 else start
    if latest_actual is not None and latest_actual >= window_start:
        return None
    return due


def local_day(now: datetime, zone: ZoneInfo) -> date:
    """The date it is for someone in `zone` at the instant `now`."""
    return now.astimezone(zone).date()
