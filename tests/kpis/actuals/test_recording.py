"""record_actuals: the one way values are written, whichever door they came in by."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from kpis.actuals.recording import Actual, ChangedMeanwhile, record_actual, record_actuals
from kpis.models import Measurement, Source
from plans.models import KPI, Plan
from tests.factories import make_kpi, make_measurement

DAY = date(2026, 7, 6)


@pytest.fixture
def kpi(plan: Plan) -> KPI:
    return make_kpi(plan=plan, name="Visitors")


def test_a_new_value_is_created_with_its_history(kpi: KPI, editor: User) -> None:
    measurement, created = record_actual(Actual(kpi, DAY, Decimal(120), "first"), user=editor)
    assert created and measurement.pk
    stored = Measurement.objects.get()
    assert (stored.value, stored.note, stored.source, stored.version) == (120, "first", "manual", 1)
    assert stored.recorded_by == editor and stored.history.get().history_user == editor


def test_a_second_value_for_the_day_replaces_the_first_and_makes_open_forms_stale(
    kpi: KPI,
) -> None:
    make_measurement(kpi=kpi, on=DAY, value="120", note="kept")
    measurement, created = record_actual(Actual(kpi, DAY, Decimal(130)), user=None)
    assert not created and measurement.value == 130
    stored = Measurement.objects.get()
    assert (stored.value, stored.note, stored.version) == (130, "kept", 2)  # blank note keeps
    assert [h.value for h in stored.history.order_by("history_id")] == [120, 130]


def test_the_same_value_again_changes_nothing(kpi: KPI) -> None:
    make_measurement(kpi=kpi, on=DAY, value="120")
    recorded = record_actuals([Actual(kpi, DAY, Decimal(120))], source=Source.CSV, user=None)
    assert (len(recorded.created), len(recorded.updated), len(recorded.unchanged)) == (0, 0, 1)
    assert Measurement.objects.get().version == 1


def test_many_values_are_written_in_a_few_queries(
    plan: Plan, kpi: KPI, django_assert_max_num_queries
) -> None:
    leads = make_kpi(plan=plan, name="Leads", stage="act")
    make_measurement(kpi=kpi, on=DAY, value="1")
    actuals = [Actual(k, date(2026, 7, d), Decimal(d)) for k in (kpi, leads) for d in range(1, 29)]
    with django_assert_max_num_queries(8):
        recorded = record_actuals(actuals, source=Source.CSV, user=None)
    assert (len(recorded.created), len(recorded.updated)) == (55, 1)
    assert Measurement.objects.count() == 56


def test_many_changed_values_are_each_written_with_their_history(
    kpi: KPI, editor: User, django_assert_max_num_queries
) -> None:
    days = [date(2026, 7, d) for d in range(1, 29)]
    before = [make_measurement(kpi=kpi, on=day, value="1", note="old") for day in days]
    actuals = [
        Actual(kpi, day, Decimal(n) + Decimal("0.25"), f"note {n}" if n % 2 else "")
        for n, day in enumerate(days)
    ]
    # savepoint, read, one UPDATE for all, history, the plan's content revision, release
    with django_assert_max_num_queries(6):
        recorded = record_actuals(actuals, source=Source.CSV, user=editor)
    assert len(recorded.updated) == len(days)
    stored = list(Measurement.objects.order_by("date"))
    assert [(m.pk, m.value, m.note, m.source, m.version) for m in stored] == [
        (old.pk, a.value, a.note or "old", "csv", 2) for old, a in zip(before, actuals, strict=True)
    ]
    assert all(
        m.recorded_by == editor and m.recorded_at > old.recorded_at
        for m, old in zip(stored, before, strict=True)
    )
    history = Measurement.history.filter(history_type="~").order_by("date")
    assert [(h.value, h.history_user) for h in history] == [(a.value, editor) for a in actuals]


def test_values_added_or_deleted_since_a_preview_write_nothing(kpi: KPI) -> None:
    existing = make_measurement(kpi=kpi, on=DAY, value="120")
    added = Actual(kpi, date(2026, 7, 13), Decimal(5))
    # The preview saw nothing on the 13th: someone added a value meanwhile.
    make_measurement(kpi=kpi, on=added.on, value="7")
    with pytest.raises(ChangedMeanwhile):
        record_actuals(
            [Actual(kpi, DAY, Decimal(1)), added],
            source=Source.CSV,
            user=None,
            expected={(kpi.pk, DAY): existing.pk, (kpi.pk, added.on): None},
        )
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [7, 120]
