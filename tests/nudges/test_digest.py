"""The weekly digest: its content, its day (the reader's), once a week."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from nudges.models import Preference
from nudges.runner import run
from tests.factories import make_measurement, make_tactic
from tests.nudges.conftest import at, owned_kpi, parts

MONDAY = date(2026, 7, 20)


def test_digest_per_plan_with_changes_behind_missing_and_budget(team, inbox):
    visits = owned_kpi(team, name="Unique visitors", baseline="100", target="200")
    make_measurement(kpi=visits, on=date(2026, 7, 1), value="100")
    make_measurement(kpi=visits, on=date(2026, 7, 19), value="101")  # off track since last week
    owned_kpi(team, name="Orders")  # never checked in
    make_tactic(plan=team.plan, budget_planned=Decimal(4000), budget_spent=Decimal(1000))
    Preference.objects.filter(user=team.owner).update(
        reminders=False, digest=True, digest_weekday=0
    )

    run(at(MONDAY))

    [message] = inbox.to(team.owner.email)
    assert message["Subject"] == "Your weekly RACE digest, week 30: 1 plan"
    text, html = parts(message)
    dashboard = "https://race.example" + reverse("kpis-dashboard", args=[team.plan.pk])
    assert f"== {team.plan.name} ==\nDashboard: {dashboard}" in text
    assert "Unique visitors: On track -> Off track" in text
    assert "Unique visitors: Off track (owner Olivia Owner)" in text
    assert "Orders, due Tue 14 Jul (owner Olivia Owner)" in text
    assert "Budget: 1,000 of 4,000 EUR spent (25 %)." in text
    assert f'<a href="{dashboard}">' in html and "<img" not in html
    assert '<th align="left" scope="col">Owner</th>' in html


def test_on_the_readers_day_once_a_week(team, inbox):
    Preference.objects.filter(user=team.owner).update(
        reminders=False, digest=True, digest_weekday=2
    )  # Wednesday
    run(at(MONDAY))
    assert inbox.to(team.owner.email) == []
    run(at(date(2026, 7, 22)))
    run(at(date(2026, 7, 23)))  # the same week
    assert len(inbox.to(team.owner.email)) == 1
    run(at(date(2026, 7, 29)))
    assert len(inbox.to(team.owner.email)) == 2


def test_viewers_get_the_digest_and_anyone_may_turn_it_off(team, inbox):
    Preference.objects.filter(user=team.viewer).update(digest=True)
    Preference.objects.filter(user=team.owner).update(digest=False)
    run(at(MONDAY))
    assert len(inbox.to(team.viewer.email)) == 1
    assert inbox.to(team.owner.email) == [] and inbox.to(team.watcher.email) == []
