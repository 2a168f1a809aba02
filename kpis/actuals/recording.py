"""Recording actuals: the one way new values get into the database, whichever door they came in
by (the value form, the weekly check-in, a CSV file, the demo data). Corrections of one value go
through `plans.versioning.edit`, like every other edit.

A KPI has one value a day. A value for a day already measured replaces the old one and gets a
new version, so an edit form opened before is refused as stale; a blank note keeps the note
already there. New and changed values are written in bulk with their history records, in one
transaction: two queries to read, two to four to write, however many values.

The transaction is short, because others wait for it: on SQLite it holds the database's one
write lock (transactions begin IMMEDIATE, see settings), on PostgreSQL the rows' locks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kpis.models import Measurement, Source
from plans.models import KPI, allows_negative
from plans.revisions import content_changed


@dataclass(frozen=True)
class Actual:
    kpi: KPI
    on: date
    value: Decimal
    note: str = ""


@dataclass(frozen=True)
class Recorded:
    created: list[Measurement]
    updated: list[Measurement]
    unchanged: list[Measurement]


class ChangedMeanwhile(Exception):
    """Values were added or deleted by someone else meanwhile; nothing was written."""


# (KPI id, day) → the id of the value found there when the user looked, or None for no value.
Expected = Mapping[tuple[int, date], int | None]


def refusal(kpi: KPI, value: Decimal) -> str | None:
    """Why `value` cannot be an actual of `kpi` (on top of the numeric policy), or None."""
    if value < 0 and not allows_negative(kpi.unit):
        return f"{kpi.name} cannot be negative."
    return None


def _is_same(current: Measurement, actual: Actual) -> bool:
    return current.value == actual.value and actual.note in ("", current.note)


def record_actuals(
    actuals: Sequence[Actual],
    *,
    source: Source,
    user: User | None,
    expected: Expected | None = None,
) -> Recorded:
    """Write `actuals`: all of them or, raising ChangedMeanwhile, none.

    `expected` is what a preview showed (the CSV import): when a value was added or deleted
    since, nothing is written.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _write(actuals, source, user, expected)
        except IntegrityError:  # a value for the same KPI and day was added meanwhile
            if expected is not None or attempt:
                break
            # Without a preview to hold to, read again: the new value is then replaced.
    raise ChangedMeanwhile


def _write(
    actuals: Sequence[Actual], source: Source, user: User | None, expected: Expected | None
) -> Recorded:
    kpi_ids, days = {a.kpi.pk for a in actuals}, {a.on for a in actuals}
    # SQLite ignores FOR UPDATE: there the IMMEDIATE transaction already excludes other writers.
    current = {
        (m.kpi_id, m.date): m
        for m in Measurement.objects.filter(kpi_id__in=kpi_ids, date__in=days).select_for_update()
    }
    if expected is not None:
        found = {key: m.pk for key, m in current.items()}
        if any(found.get(key) != value for key, value in expected.items()):
            raise ChangedMeanwhile
    new, updated, unchanged = [], [], []
    now = timezone.now()
    for actual in actuals:
        measurement = current.get((actual.kpi.pk, actual.on))
        if measurement is None:
            new.append(_new(actual, source, user))
        elif _is_same(measurement, actual):
            unchanged.append(measurement)
        else:
            measurement.value, measurement.note = actual.value, actual.note or measurement.note
            measurement.source, measurement.recorded_by, measurement.recorded_at = source, user, now
            measurement.version += 1  # an edit form opened before this is now stale
            updated.append(measurement)
    reason = Source(source).label
    created = bulk_create_with_history(
        new, Measurement, default_user=user, default_change_reason=reason
    )
    if updated:
        _update(updated)
        Measurement.history.bulk_history_create(
            updated, update=True, default_user=user, default_change_reason=reason
        )
    if created or updated:  # written without signals: the worksheets show the latest actuals
        content_changed({a.kpi.plan_id for a in actuals})
    return Recorded(created=created, updated=updated, unchanged=unchanged)


UPDATED = ("value", "note", "source", "recorded_by", "recorded_at", "version")


def _update(measurements: list[Measurement]) -> None:
    """One UPDATE statement run for every changed value (executemany). Django's bulk_update
    builds a CASE expression per field and row instead: over 10 s of CPU for 5,000 values on a
    busy machine, all of it inside the transaction, while every other writer waits."""
    fields = [f for f in Measurement._meta.concrete_fields if f.name in UPDATED]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    table, pk = quote(Measurement._meta.db_table), quote(Measurement._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 -- names from the model
    rows = [
        [*(f.get_db_prep_save(getattr(m, f.attname), connection) for f in fields), m.pk]
        for m in measurements
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _new(actual: Actual, source: Source, user: User | None) -> Measurement:
    return Measurement(
        kpi=actual.kpi,
        date=actual.on,
        value=actual.value,
        note=actual.note,
        source=source,
        recorded_by=user,
    )


def record_actual(actual: Actual, *, user: User | None) -> tuple[Measurement, bool]:
    """One value entered by hand: the value saved, and whether it is a new one."""
    recorded = record_actuals([actual], source=Source.MANUAL, user=user)
    if recorded.created:
        return recorded.created[0], True
    return (recorded.updated or recorded.unchanged)[0], False
