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
        kpi = make_kpi(plan=plan, name=f"Visits {n}", baseline="10.1")
        KPI.objects.filter(pk=kpi.pk).update(owner=owner)
        make_objective(plan=plan, title=f"Grow {n}", kpi=kpi)
        make_objective(plan=plan, title=f"Unmeasured {n}")
    return plans


def test_model_rows_are_the_querysets_with_their_related_rows_and_annotations(db: None) -> None:
    query = Prepared(Objective, _objectives, plan=PLAN_ID)
    for plan in _two_plans():  # the second plan's rows, not the first's again
        expected, found = list(_objectives(plan.pk)), query.objects(plan=plan.pk)
        assert [_fields(row) for row in found] == [_fields(row) for row in expected]
        assert found[0].kpi is not None and type(found[0].kpi.baseline) is Decimal
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
                make_measurement(kpi=kpi, on=day + timedelta(weeks=week), value=f"{week}.1")
        for today in (day - timedelta(days=1), day, day + timedelta(weeks=1)):
            found = query.rows(plan=plan.pk, today=today)
            assert [tuple(row) for row in found] == list(_latest(plan.pk, today))
            assert all(type(value) is Decimal for _, _, value in found)
    assert len(query.rows(plan=plan.pk, today=day + timedelta(weeks=1))) == 2


def test_the_sql_is_written_once_per_database(db: None) -> None:
    query = Prepared(Objective, _objectives, plan=PLAN_ID)
    plans = _two_plans()
    query.objects(plan=plans[0].pk)
    written = dict(query._compiled)
    query.objects(plan=plans[1].pk)
    assert query._compiled == written and list(written) == ["default"]


def test_a_marker_the_query_does_not_take_is_refused(db: None) -> None:
    never = Marker(date(1902, 3, 4), date(1903, 4, 5), DateField())
    query = Prepared(Objective, lambda plan, day: _objectives(plan), plan=PLAN_ID, day=never)
    with pytest.raises(ValueError, match="does not take day"):
        query.objects(plan=1, day=date(2026, 7, 6))


def _plan_rows(plan: int, other: int) -> QuerySet[Plan]:
    return Plan.objects.filter(pk=plan).exclude(workspace=other)


@pytest.mark.parametrize(
    ("build", "refusal"),
    [
        # two arguments in one place: the second would take the first's value
        (lambda plan, other: _plan_rows(plan, other), "share a place"),
        # a value worked out from an argument would keep its stand-in's value
        (
            lambda plan, day: _latest(plan, day - timedelta(days=7)).filter(date__gte=day),
            "worked out",
        ),
        # SQL that changes with the value: a list as long as the id is odd or even
        (lambda plan: Plan.objects.filter(pk__in=[plan] + [0] * (plan % 2)), "depends on"),
        (lambda plan: Plan.objects.filter(pk=plan).prefetch_related("kpis"), "Prefetching"),
    ],
    ids=["two in one place", "worked out", "SQL varies", "prefetch"],
)
def test_queries_it_cannot_run_faithfully_are_refused(db: None, build: Any, refusal: str) -> None:
    markers = (
        {"plan": PLAN_ID, "other": PLAN_ID} if refusal == "share a place" else {"plan": PLAN_ID}
    )
    if refusal == "worked out":
        markers["day"] = DAY
    with pytest.raises(ValueError, match=refusal):
        Prepared(Plan, build, **markers).rows(**dict.fromkeys(markers, 1))


def test_a_fixed_parameter_equal_to_a_stand_in_stays_fixed(db: None) -> None:
    """A query with the marker's own value as a constant: only the argument's place moves."""
    plans = _two_plans()
    stand_in = PLAN_ID.value
    query = Prepared(
        Plan, lambda plan: Plan.objects.filter(pk=plan).exclude(pk=stand_in), plan=PLAN_ID
    )
    assert query.objects(plan=plans[0].pk) == [plans[0]]


def test_rows_are_the_columns_asked_for_and_the_right_kind(db: None) -> None:
    plans = _two_plans()

    def units(plan: int) -> QuerySet[KPI, tuple[str]]:
        return KPI.objects.filter(plan=plan).order_by("name").values_list("unit")

    query = Prepared(KPI, units, plan=PLAN_ID)
    assert [tuple(row) for row in query.rows(plan=plans[0].pk)] == list(units(plans[0].pk))
    with pytest.raises(TypeError, match="ValuesListIterable"):
        query.objects(plan=plans[0].pk)
