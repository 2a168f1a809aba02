from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User

from kpis.advisor.actions import adding
from kpis.advisor.actions.adding import CannotAdd, add_action, tactic_dates
from kpis.advisor.actions.library import ACTIONS
from kpis.advisor.models import ImprovementAction
from plans.models import Plan, Tactic
from tests.factories import make_plan, make_tactic

TODAY = date(2026, 8, 10)  # inside the factory plan's period, 1 Jul to 30 Sep 2026
REVIEWS = ACTIONS["engage.review_requests"]  # 14 days, Engage, e-mail, earned


def test_the_action_becomes_a_tactic_at_the_end_of_its_stage(plan: Plan, editor: User) -> None:
    editor.first_name, editor.last_name = "Eddie", "Ng"
    editor.save()
    make_tactic(plan=plan, stage="engage", title="Loyalty club", position=4)
    make_tactic(plan=plan, stage="reach", title="Elsewhere", position=9)

    added = add_action(plan, REVIEWS, user=editor, today=TODAY)

    tactic = Tactic.objects.get(pk=added.tactic.pk)
    assert (tactic.stage, tactic.title, tactic.description) == (
        "engage",
        REVIEWS.title,
        REVIEWS.description,
    )
    assert (tactic.channel, tactic.media, tactic.owner) == ("E-mail", "earned", "Eddie Ng")
    assert (tactic.start_date, tactic.end_date) == (TODAY, TODAY + timedelta(days=14))
    assert (tactic.status, tactic.audience, tactic.position) == ("planned", "all", 5)
    record = ImprovementAction.objects.get(plan=plan)
    assert (record.action, record.area, record.band) == ("engage.review_requests", "engage", "low")
    assert (record.title, record.tactic, record.added_by) == (REVIEWS.title, tactic, editor)
    assert [h.history_type for h in tactic.history.all()] == ["+"]  # in the plan's history
    assert not added.shortened


def test_the_same_action_twice_is_refused_and_adds_no_second_tactic(
    plan: Plan, editor: User
) -> None:
    add_action(plan, REVIEWS, user=editor, today=TODAY)
    with pytest.raises(CannotAdd, match="already in this plan"):
        add_action(plan, REVIEWS, user=editor, today=TODAY)
    assert Tactic.objects.filter(plan=plan).count() == 1
    other = make_plan(workspace=plan.workspace)
    add_action(other, REVIEWS, user=editor, today=TODAY)  # once per plan, not once ever


@pytest.mark.django_db(transaction=True)
def test_a_racing_second_add_is_refused_by_the_constraint_and_leaves_no_tactic(
    plan: Plan, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests passed the first check: the unique constraint decides, and the loser's
    tactic goes with its refused record."""
    add_action(plan, REVIEWS, user=editor, today=TODAY)
    monkeypatch.setattr(
        adding.ImprovementAction.objects, "filter", lambda **kw: ImprovementAction.objects.none()
    )
    with pytest.raises(CannotAdd, match="already in this plan"):
        add_action(plan, REVIEWS, user=editor, today=TODAY)
    monkeypatch.undo()
    assert Tactic.objects.filter(plan=plan).count() == 1
    assert ImprovementAction.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        (date(2026, 8, 10), 30, (date(2026, 8, 10), date(2026, 9, 9))),
        (date(2026, 9, 20), 30, (date(2026, 9, 20), date(2026, 9, 30))),  # cut at the end
        (date(2026, 6, 1), 14, (date(2026, 7, 1), date(2026, 7, 15))),  # plan not started
        (date(2026, 9, 30), 7, (date(2026, 9, 30), date(2026, 9, 30))),  # its last day
        (date(2026, 10, 1), 7, None),  # over
    ],
)
def test_dates_stay_inside_the_plan_period(
    plan: Plan, today: date, days: int, expected: tuple[date, date] | None
) -> None:
    assert tactic_dates(plan, days, today) == expected


def test_a_shortened_action_says_so(plan: Plan, editor: User) -> None:
    added = add_action(plan, ACTIONS["engage.community"], user=editor, today=date(2026, 9, 1))
    assert added.tactic.end_date == plan.period_end and added.shortened
    assert "ends with the plan’s period" in adding.confirmation(added)


def test_a_plan_that_ended_takes_no_actions(plan: Plan, editor: User) -> None:
    with pytest.raises(CannotAdd, match="This plan ended on 30 Sep 2026"):
        add_action(plan, REVIEWS, user=editor, today=date(2026, 10, 2))
    assert not Tactic.objects.filter(plan=plan).exists()
    assert not ImprovementAction.objects.exists()
