from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpis.advisor.actions import page as improve_page
from kpis.advisor.actions.adding import add_action
from kpis.advisor.actions.library import ACTIONS
from kpis.advisor.areas import Area
from kpis.advisor.models import AuditAnswer, CapabilityAudit, ImprovementAction
from plans.models import Plan, Tactic, Workspace
from tests.factories import make_plan

REVIEWS = ACTIONS["engage.review_requests"]


@pytest.fixture
def running(workspace: Workspace) -> Plan:
    """A plan whose period contains today, so actions can start now."""
    today = timezone.localdate()
    return make_plan(
        workspace=workspace,
        name="Running plan",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=60),
    )


def audit(workspace: Workspace, scores: dict[str, int], quarter_start: date) -> CapabilityAudit:
    made = CapabilityAudit.objects.create(workspace=workspace, quarter_start=quarter_start)
    AuditAnswer.objects.bulk_create(
        AuditAnswer(audit=made, question=key, score=score) for key, score in scores.items()
    )
    return made


SCORES = {"reach.search": 4, "act.capture": 3, "engage.reviews": 1, "engage.email": 2}


def page_url(plan: Plan) -> str:
    return reverse("kpis-improve", args=[plan.pk])


def add(client: Client, plan: Plan, key: str) -> object:
    return client.post(reverse("kpis-improve-add", args=[plan.pk]), {"action": key}, follow=True)


def test_the_page_suggests_actions_for_the_weakest_areas_with_reasons(
    editor_client: Client, running: Plan, workspace: Workspace
) -> None:
    audit(workspace, SCORES, date(2026, 10, 1))
    html = editor_client.get(page_url(running)).content.decode()

    assert "<h1>90-day plan</h1>" in html
    assert "Engage scored 1.5 in Q4 2026’s audit" in html
    assert html.index(">Engage</h3>") < html.index(">Act</h3>") < html.index(">Reach</h3>")
    assert REVIEWS.title in html and REVIEWS.description in html
    assert f'aria-label="Add to plan: {REVIEWS.title}">Add to plan</button>' in html
    assert "No actions added yet" in html


def test_the_worksheet_header_links_to_the_90_day_plan(
    viewer_client: Client, running: Plan
) -> None:
    html = viewer_client.get(reverse("plans-detail", args=[running.pk])).content.decode()
    assert f'href="{page_url(running)}">90-day plan</a>' in html


def test_without_an_audit_the_page_says_how_to_run_one_and_offers_the_findings_actions(
    editor_client: Client, running: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = editor_client.get(page_url(running)).content.decode()
    # The real health check: an empty plan's stages have no objectives or KPIs.
    assert "No capability audit yet" in html and "The plan health check found" in html
    assert "Nothing to suggest right now" not in html

    monkeypatch.setattr(improve_page, "health_finding_areas", lambda plan, today: [Area.CONVERT])
    html = editor_client.get(page_url(running)).content.decode()
    assert "No capability audit yet" in html
    assert "The plan health check found 1 problem in Convert" in html
    assert ACTIONS["convert.checkout_walkthrough"].title in html


def test_add_to_plan_makes_the_tactic_records_it_and_says_so(
    editor_client: Client, editor: User, running: Plan, workspace: Workspace
) -> None:
    audit(workspace, SCORES, date(2026, 10, 1))
    response = add(editor_client, running, REVIEWS.key)

    tactic = Tactic.objects.get(plan=running)
    today = timezone.localdate()
    assert (tactic.title, tactic.stage, tactic.owner) == (REVIEWS.title, "engage", "eddie-editor")
    assert (tactic.start_date, tactic.end_date) == (today, today + timedelta(days=14))
    assert tactic.history.get().history_user == editor  # the plan's history names who
    assert ImprovementAction.objects.get(plan=running).tactic == tactic
    html = response.content.decode()  # type: ignore[attr-defined]
    assert response.redirect_chain == [(page_url(running), 302)]  # type: ignore[attr-defined]
    assert f"Added “{REVIEWS.title}” to Engage as a tactic" in html
    assert "0 of 1 action done" in html
    assert f'href="/plans/{running.pk}/#tactic-{tactic.pk}"' in html
    assert f'value="{REVIEWS.key}"' not in html  # no longer suggested


def test_the_same_action_twice_gets_a_clear_message(editor_client: Client, running: Plan) -> None:
    add(editor_client, running, REVIEWS.key)
    response = add(editor_client, running, REVIEWS.key)
    assert "is already in this plan" in response.content.decode()  # type: ignore[attr-defined]
    assert Tactic.objects.filter(plan=running).count() == 1


def test_an_unknown_action_gets_a_message_and_adds_nothing(
    editor_client: Client, running: Plan
) -> None:
    response = add(editor_client, running, "engage.world_domination")
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "That action is not in the library" in html
    assert not Tactic.objects.filter(plan=running).exists()


def test_an_ended_plan_refuses_with_the_reason(editor_client: Client, plan: Plan) -> None:
    response = add(editor_client, plan, REVIEWS.key)  # the factory plan ended on 30 Sep 2026
    assert "This plan ended on 30 Sep 2026" in response.content.decode()  # type: ignore[attr-defined]
    assert not Tactic.objects.filter(plan=plan).exists()


def test_viewers_read_without_buttons_and_cannot_add(
    viewer_client: Client, running: Plan, workspace: Workspace
) -> None:
    audit(workspace, SCORES, date(2026, 10, 1))
    html = viewer_client.get(page_url(running)).content.decode()
    assert REVIEWS.title in html and "Add to plan" not in html
    assert "only editors of the workspace can add actions" in html
    response = viewer_client.post(
        reverse("kpis-improve-add", args=[running.pk]), {"action": REVIEWS.key}
    )
    assert response.status_code == 403
    assert not Tactic.objects.filter(plan=running).exists()


def test_outsiders_and_unknown_plans_get_404(outsider_client: Client, running: Plan) -> None:
    assert outsider_client.get(page_url(running)).status_code == 404
    response = outsider_client.post(
        reverse("kpis-improve-add", args=[running.pk]), {"action": REVIEWS.key}
    )
    assert response.status_code == 404
    assert outsider_client.get(reverse("kpis-improve", args=[999_999])).status_code == 404
    assert not Tactic.objects.exists()


def test_a_deleted_tactic_shows_as_removed_from_the_plan(
    editor_client: Client, editor: User, running: Plan
) -> None:
    added = add_action(running, REVIEWS, user=editor, today=timezone.localdate())
    added.tactic.delete()
    html = editor_client.get(page_url(running)).content.decode()
    assert "Removed from the plan" in html and REVIEWS.title in html
    assert "0 of 1 action done, 1 removed from the plan" in html


@pytest.mark.parametrize("taken", [1, 12])
def test_the_page_costs_the_same_queries_whatever_it_shows(
    editor_client: Client,
    editor: User,
    running: Plan,
    workspace: Workspace,
    taken: int,
    django_assert_max_num_queries,
) -> None:
    audit(workspace, SCORES, date(2026, 7, 1))
    audit(workspace, {**SCORES, "plan.goals": 2}, date(2026, 10, 1))
    for action in list(ACTIONS.values())[:taken]:
        add_action(running, action, user=editor, today=timezone.localdate())
    # session, user, the plan with its role, the audit, its answers, the actions with their
    # tactics, and the header's unread notifications
    # 7 of its own and the health check's 5
    with django_assert_max_num_queries(12):
        response = editor_client.get(page_url(running))
    assert response.content.decode().count("<tr>") == taken + 1


def test_an_archived_plan_shows_why_it_takes_no_actions(
    editor_client: Client, running: Plan, workspace: Workspace
) -> None:
    audit(workspace, SCORES, date(2026, 10, 1))
    Plan.objects.filter(pk=running.pk).update(status="archived")
    html = editor_client.get(page_url(running)).content.decode()
    assert "This plan is archived and read-only" in html and "Add to plan" not in html
    response = editor_client.post(
        reverse("kpis-improve-add", args=[running.pk]), {"action": REVIEWS.key}
    )
    assert response.status_code == 403
