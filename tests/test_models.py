"""The database refuses what the domain forbids, whatever code path writes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kpis.models import Measurement
from plans.models import KPI, Membership, Plan, Stage, StageWorksheet, Tactic
from tests.factories import make_kpi, make_measurement, make_plan, make_tactic, make_user


def test_new_plan_has_one_worksheet_per_stage(db: None) -> None:
    plan = make_plan()
    assert list(plan.worksheets.order_by("id").values_list("stage", flat=True)) == Stage.values


def test_second_worksheet_for_a_stage_is_refused(db: None) -> None:
    plan = make_plan()
    with pytest.raises(IntegrityError), transaction.atomic():
        StageWorksheet.objects.create(plan=plan, stage=Stage.REACH)


def test_one_measurement_per_kpi_and_date(db: None) -> None:
    kpi = make_kpi(plan=make_plan())
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measurement(kpi=kpi, on=date(2026, 7, 6), value="11")
    assert Measurement.objects.get(kpi=kpi).value == Decimal("10")


def test_values_are_decimals(db: None) -> None:
    kpi = make_kpi(plan=make_plan(), baseline="0.1", target="0.3")
    kpi.refresh_from_db()
    assert kpi.target - kpi.baseline == Decimal("0.2")
    tactic = make_tactic(plan=kpi.plan, budget_planned="1234.56")
    tactic.refresh_from_db()
    assert tactic.budget_planned == Decimal("1234.56")


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Plan, "audience", "b2x"),
        (Plan, "status", "done"),
        (KPI, "unit", "furlongs"),
        (KPI, "direction", "flat"),
        (Tactic, "media", "rented"),
        (Tactic, "status", "paused"),
    ],
)
def test_invalid_choices_are_refused_by_the_database(db: None, model, field, value) -> None:
    plan = make_plan()
    row = {Plan: plan, KPI: make_kpi(plan=plan), Tactic: make_tactic(plan=plan)}[model]
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: value})


def test_plan_period_must_not_end_before_it_starts(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_plan(period_start=date(2026, 7, 1), period_end=date(2026, 6, 30))


def test_negative_budget_is_refused(db: None) -> None:
    tactic = make_tactic(plan=make_plan())
    with pytest.raises(IntegrityError), transaction.atomic():
        Tactic.objects.filter(pk=tactic.pk).update(budget_spent=Decimal("-1"))


def test_tactic_end_before_start_is_refused(db: None) -> None:
    tactic = make_tactic(plan=make_plan())
    with pytest.raises(IntegrityError), transaction.atomic():
        Tactic.objects.filter(pk=tactic.pk).update(
            start_date=date(2026, 8, 1), end_date=date(2026, 7, 1)
        )


def test_kpi_names_are_unique_within_a_plan_only(db: None) -> None:
    plan = make_plan()
    make_kpi(plan=plan, name="Visitors")
    make_kpi(plan=make_plan(), name="Visitors")  # another plan may reuse the name
    with pytest.raises(IntegrityError), transaction.atomic():
        make_kpi(plan=plan, name="Visitors")


def test_one_membership_per_user_and_workspace(db: None) -> None:
    plan = make_plan()
    user = make_user()
    Membership.objects.create(workspace=plan.workspace, user=user, role="viewer")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(workspace=plan.workspace, user=user, role="editor")


def test_edits_are_recorded_in_history(db: None) -> None:
    kpi = make_kpi(plan=make_plan(), target="200")
    kpi.target = Decimal("250")
    kpi.save()
    assert [h.target for h in kpi.history.order_by("history_date")] == [
        Decimal("200"),
        Decimal("250"),
    ]
