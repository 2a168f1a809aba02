"""A plan's history starts from the plan: its own trail only, off indexes that begin with the plan
(its actuals by its KPIs), in a fixed number of queries whatever other plans have been through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kpis.models import Measurement
from plans.models import Plan, Tactic, Workspace
from tests.factories import make_kpi, make_measurement, make_objective, make_plan, make_tactic


def _corrections(plan: Plan, *, count: int) -> None:
    """`count` corrections of one actual of `plan`, each with its history record."""
    kpi = make_kpi(plan=plan, name="Visitors")
    actual = make_measurement(kpi=kpi, on=plan.period_start, value="1")
    for value in range(count):
        actual.value = value + 2
        actual.save()


@pytest.mark.parametrize("others", [0, 60])
def test_other_plans_trails_change_nothing_on_a_plans_history(
    editor_client: Client, plan: Plan, workspace: Workspace, others: int, django_assert_num_queries
) -> None:
    make_tactic(plan=plan, title="Reels")
    _corrections(plan, count=2)
    busy = make_plan(workspace=workspace, name="Busy")
    _corrections(busy, count=others)
    url = reverse("plans-history", args=[plan.pk])
    # Session, user, plan, the plan's KPIs, the page's records of all kinds, per kind on the
    # page (plan, tactics, KPIs, actuals) its records with the ones before, the linked KPIs'
    # names, the header's unread notifications.
    with django_assert_num_queries(11):
        html = editor_client.get(url).content.decode()
    assert html.count("Actual of “Visitors”") == 2  # its own two corrections, no one else's
    assert "Tactic “Reels” (Reach)" in html and "Busy" not in html


def test_every_kind_of_deleted_item_can_be_restored_and_live_ones_cannot(
    editor_client: Client, plan: Plan
) -> None:
    gone = [
        make_objective(plan=plan, title="Grow"),
        make_tactic(plan=plan, title="Reels"),
        make_kpi(plan=plan, name="Leads"),
    ]
    make_tactic(plan=plan, title="Stays")
    for item in gone:
        kind = type(item).__name__.lower()
        editor_client.post(reverse("plans-item-delete", args=[plan.pk, kind, item.pk]))
    html = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    for label in ("Restore this objective", "Restore this tactic", "Restore this KPI"):
        assert html.count(label) == 1
    record = Tactic.history.get(title="Reels", history_type="-")
    editor_client.post(reverse("plans-history-restore", args=[plan.pk, "tactic", record.pk]))
    html = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert "Restore this tactic" not in html and "Restore this KPI" in html


def test_a_long_trail_lists_its_newest_changes(editor_client: Client, plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name="Visitors")
    actuals = [
        make_measurement(kpi=kpi, on=plan.period_start + timedelta(days=day), value="1")
        for day in range(3)
    ]
    for round_ in range(3):
        for actual in actuals:
            actual.value = 100 + 10 * round_ + actual.date.day
            actual.save()
    html = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    newest = actuals[-1]
    assert html.index(f"for {newest.date:%-d %b %Y}") < html.index(
        f"for {actuals[0].date:%-d %b %Y}"
    )
    assert html.count("Actual of “Visitors”") == 9
    assert Measurement.history.count() == 12


@pytest.mark.parametrize(
    ("table", "owner"),
    [
        ("plans_historicalplan", "id"),
        ("plans_historicalstageworksheet", "plan_id"),
        ("plans_historicalobjective", "plan_id"),
        ("plans_historicaltactic", "plan_id"),
        ("plans_historicalkpi", "plan_id"),
        ("kpis_historicalmeasurement", "kpi_id"),
        ("kpis_historicalmeasurement", "id"),  # an actual's record before a change
    ],
)
def test_history_is_indexed_from_its_owner_newest_first(db: None, table: str, owner: str) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = [c["columns"] for c in constraints.values() if c["index"]]
    assert [owner, "history_date", "history_id"] in indexed
