from datetime import date

import pytest

from demo.seeding import seed_demo
from kpis.advisor.actions.tracking import summary, tracked_actions
from kpis.advisor.models import ImprovementAction
from plans.models import Plan


@pytest.mark.django_db
def test_each_demo_plan_has_taken_two_actions_one_done() -> None:
    today = date(2026, 11, 23)
    seed_demo(today=today)
    seed_demo(today=today)  # idempotent: no second set
    for plan in Plan.objects.filter(workspace__slug="demo"):
        rows = tracked_actions(plan, today)
        assert len(rows) == 2, plan.name
        assert {row.tactic.status for row in rows if row.tactic} == {"done", "running"}
        assert all(row.tactic and row.tactic.owner == "Mara Keting" for row in rows)
        assert summary(rows) == "1 of 2 actions done"
        assert [h.history_type for h in rows[0].tactic.history.all()] == ["~", "+"]  # type: ignore[union-attr]
    assert ImprovementAction.objects.count() == 4
