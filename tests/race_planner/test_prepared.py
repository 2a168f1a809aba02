"""A query whose SQL is written once runs with each call's own values and gives what the ORM
gives: the same rows, converted the same way, the same instances with their related rows."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, DateField, Model, QuerySet

from kpis.models import Measurement
from plans.models import KPI, Objective, Plan
from race_planner.prepared import DAY, PLAN_ID, Marker, Prepared
from tests.factories import make_kpi, make_measurement, make_objective, make_plan, make_user


def _objectives(plan: int) -> QuerySet[Objective]:
    return (
        Objective.objects.filter(plan=plan)
        .select_related("kpi__owner")
        .annotate(tactic_count=Count("tactics"))
    )


def _fields(row: Model) -> dict[str, Any]:
    return {name: value for name, value in vars(row).items() if name != "_state"}


def _two_plans() -> tuple[Plan, Plan]:
    owner = make_user(username="erin")
    plans = make_plan(), make_plan()
    for n, plan in enumerate(plans):
        kpi = make_kpi(plan=plan, name=f"Visits {n}", baseline="10.25")
        KPI.objects.filter(pk=kpi.pk).update(owner=owner)
        make_objective(plan=plan, title=f"Grow {n}", kpi=kpi)
        make_objective(plan=plan, title=f"Unmeasured {n}")
    return plans


def test_model_rows_are_the_querysets_with_their_related_rows_and_annotations(db: None) -> None:
    query = Prepared(Objective, _objectives, plan=PLAN_ID)
    for plan in _two_plans():  # the second plan's rows, not the first's again
        expected, found = list(_objectives(plan.pk)), query.objects(plan=plan.pk)
        assert [_fields(row) for row in found] == [_fields(row) for row in expected]
        assert [getattr(row, "tactic_count", None) for row in found] == [0, 0]
        measured = found[0].kpi
        assert measured is not None and measured.owner is not None
        assert expected[0].kpi is not None and _fields(measured) == _fields(expected[0].kpi)
        assert measured.owner.username == "erin"
        assert found[1].kpi is None
        assert not found[0]._state.adding and found[0]._state.db == "default"


def _latest(plan: int, today: date) -> QuerySet[Measurement, tuple[str, date, Decimal]]:
    return (
        Measurement.objects.filter(kpi__plan=plan, date__lte=today)
        .order_by("date")
        .values_list("kpi__name", "date", "value")
    )


def test_rows_take_each_calls_values_and_convert_as_the_orm_does(db: None) -> None:
    query = Prepared(Measurement, _latest, plan=PLAN_ID, today=DAY)
    day = date(2026, 7, 6)
    for plan in _two_plans():
        for kpi in plan.kpis.all():
            for week in range(3):
                make_measurement(kpi=kpi, on=day + timedelta(weeks=week), value=f"{week}.125")
        for today in (day - timedelta(days=1), day, day + timedelta(weeks=1)):
            found = query.rows(plan=plan.pk, today=today)
            assert [tuple(row) for row in found] == list(_latest(plan.pk, today))
    assert len(query.rows(plan=plan.pk, today=day + timedelta(weeks=1))) == 2


def test_the_sql_is_written_once_per_database(db: None) -> None:
    query = Prepared(Objective, _objectives, plan=PLAN_ID)
    plans = _two_plans()
    query.objects(plan=plans[0].pk)
    written = dict(query._compiled)
    query.objects(plan=plans[1].pk)
    assert query._compiled == written and list(written) == ["default"]


def test_a_marker_the_query_does_not_take_is_refused(db: None) -> None:
    never = Marker(date(1902, 3, 4), DateField())
    query = Prepared(Objective, lambda plan, day: _objectives(plan), plan=PLAN_ID, day=never)
    with pytest.raises(ValueError, match="does not take day"):
        query.objects(plan=1, day=date(2026, 7, 6))
