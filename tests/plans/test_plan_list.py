"""The plan list: each plan's KPIs on track, period gone, owner and newest change; search and
filters with their empty states; a query count that stays the same whatever the number of plans."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpis.models import Measurement
from plans import listing
from plans.models import (
    KPI,
    Membership,
    Objective,
    Plan,
    Role,
    StageWorksheet,
    Tactic,
    Workspace,
)
from tests.factories import make_kpi, make_measurement, make_plan, make_workspace

URL = reverse("plans-list")


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', html)


def _measured_plan(
    workspace: Workspace, name: str, *values: str, owner: User | None = None
) -> Plan:
    """30 days into 91; a KPI from 0 to 91 per value, measured today: 30 is on track."""
    start = date.today() - timedelta(days=30)
    plan = make_plan(
        workspace=workspace, name=name, period_start=start, period_end=start + timedelta(days=91)
    )
    if owner:
        Plan.objects.filter(pk=plan.pk).update(created_by=owner)
    for number, value in enumerate(values):
        kpi = make_kpi(plan=plan, name=f"KPI {number}", baseline="0", target="91")
        make_measurement(kpi=kpi, on=date.today(), value=value)
    return plan


def test_a_row_says_how_many_kpis_are_on_track_whose_plan_and_how_far_it_has_got(
    viewer_client: Client, workspace: Workspace, editor: User
) -> None:
    editor.first_name, editor.last_name = "Eddie", "Torres"
    editor.save()
    _measured_plan(workspace, "Spring push", "30", "30", "30", "10", owner=editor)
    html = viewer_client.get(URL).content.decode()
    assert '<span class="rollup rollup-at_risk">3 of 4 on track</span>' in html
    assert "<td>Eddie Torres</td>" in html
    assert "33 % of the period gone" in html
    assert "0\xa0minutes ago" in html  # just made


def test_the_newest_change_is_of_anything_in_the_plan_actuals_included(db: None) -> None:
    plan = _measured_plan(make_workspace(), "Spring push", "30")
    kpi = KPI.objects.get(plan=plan)
    long_ago = timezone.now() - timedelta(days=40)
    for model in (Plan, StageWorksheet, Objective, Tactic, KPI, Measurement):
        model.history.update(history_date=long_ago)
    assert listing.plan_rows([plan], today=date.today())[0].last_change == long_ago
    tactic_changed = long_ago + timedelta(days=2)
    Tactic.history.update(history_date=tactic_changed)
    Tactic.objects.create(plan=plan, stage="reach", title="Webinars")
    Tactic.history.update(history_date=tactic_changed)
    assert listing.plan_rows([plan], today=date.today())[0].last_change == tactic_changed
    Measurement.objects.filter(kpi=kpi).update(value=Decimal("31"))
    measurement = Measurement.objects.get(kpi=kpi)
    measurement.value = Decimal("32")
    measurement.save()  # a correction: the newest change is now
    newest = listing.plan_rows([plan], today=date.today())[0].last_change
    assert isinstance(newest, datetime) and newest > timezone.now() - timedelta(minutes=1)


def test_more_plans_than_the_query_has_slots_are_read_in_more_fills_of_them(db: None) -> None:
    workspace = make_workspace()
    plans = [
        _measured_plan(workspace, f"Plan {n}", "30") for n in range(len(listing.PLAN_SLOTS) + 2)
    ]
    rows = listing.plan_rows(plans, today=date.today())
    assert all(row.last_change and row.summary for row in rows)
    assert {row.summary.label for row in rows if row.summary} == {"1 of 1 on track"}
    assert len(list(listing.in_slots(plans))) == 2


def test_search_and_filters_narrow_the_list_and_keep_pages(
    viewer_client: Client, workspace: Workspace, viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plans import views

    monkeypatch.setattr(views, "PLANS_PER_PAGE", 2)
    other = make_workspace(name="Zeta")
    Membership.objects.create(workspace=other, user=viewer, role=Role.VIEWER)
    make_plan(workspace=workspace, name="Webinar push", audience="b2b", status="draft")
    make_plan(workspace=workspace, name="Shop launch", audience="b2c")
    make_plan(workspace=other, name="Webinar series", audience="b2b")
    make_plan(workspace=other, name="Summer webinars", audience="b2c")
    assert _names(viewer_client.get(URL, {"q": "webinar"}).content.decode()) == [
        "Webinar push",
        "Summer webinars",
    ]
    second = viewer_client.get(URL, {"q": "webinar", "page": "2"}).content.decode()
    assert _names(second) == ["Webinar series"]
    assert 'href="?q=webinar&amp;page=1"' in second
    assert _names(viewer_client.get(URL, {"workspace": other.pk}).content.decode()) == [
        "Summer webinars",
        "Webinar series",
    ]
    assert _names(viewer_client.get(URL, {"audience": "b2c"}).content.decode()) == [
        "Shop launch",
        "Summer webinars",
    ]
    assert _names(viewer_client.get(URL, {"state": "draft"}).content.decode()) == ["Webinar push"]


def test_the_list_as_first_opened_shows_each_reader_their_own_plans_and_every_change_at_once(
    viewer_client: Client,
    outsider_client: Client,
    workspace: Workspace,
    viewer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unfiltered, a page's plans are read by SQL written once per process: each reader still
    gets their own workspaces' plans, page by page, and a change shows on the next view."""
    from plans import views

    monkeypatch.setattr(views, "PLANS_PER_PAGE", 2)
    for name in ("Alpha", "Beta", "Gamma"):
        make_plan(workspace=workspace, name=name)
    outsiders = Workspace.objects.get(name="Elsewhere")
    make_plan(workspace=outsiders, name="Outside plan")
    assert _names(viewer_client.get(URL).content.decode()) == ["Alpha", "Beta"]
    assert _names(viewer_client.get(URL, {"page": "2"}).content.decode()) == ["Gamma"]
    assert _names(outsider_client.get(URL).content.decode()) == ["Outside plan"]

    make_plan(workspace=workspace, name="Aardvark")
    Plan.objects.filter(name="Beta").update(name="Zulu")
    assert _names(viewer_client.get(URL).content.decode()) == ["Aardvark", "Alpha"]
    assert _names(viewer_client.get(URL, {"page": "2"}).content.decode()) == ["Gamma", "Zulu"]
    Membership.objects.create(workspace=outsiders, user=viewer, role=Role.EDITOR)
    assert _names(viewer_client.get(URL, {"page": "3"}).content.decode()) == ["Outside plan"]
    Membership.objects.filter(user=viewer, workspace=workspace).delete()
    assert _names(viewer_client.get(URL).content.decode()) == ["Outside plan"]
    past_the_end = viewer_client.get(URL, {"page": "2"}).content.decode()
    assert _names(past_the_end) == ["Outside plan"]  # the last page, as Paginator.get_page says


def test_the_workspace_filter_and_new_plan_follow_the_readers_memberships_at_once(
    viewer_client: Client, outsider_client: Client, workspace: Workspace, viewer: User
) -> None:
    def options(client: Client) -> list[str]:
        html = client.get(URL).content.decode()
        select = html.split('<select name="workspace"')[1].split("</select>")[0]
        return re.findall(r"<option [^>]*>([^<]+)</option>", select)

    make_plan(workspace=workspace, name="Spring push")
    make_plan(workspace=Workspace.objects.get(name="Elsewhere"), name="Outside plan")
    assert options(viewer_client) == ["Every workspace", "Acme"]
    assert options(outsider_client) == ["Every workspace", "Elsewhere"]
    assert "New plan" not in viewer_client.get(URL).content.decode()
    assert "New plan" in outsider_client.get(URL).content.decode()  # an admin of Elsewhere

    zeta = make_workspace(name="Zeta")
    Membership.objects.create(workspace=zeta, user=viewer, role=Role.EDITOR)
    assert options(viewer_client) == ["Every workspace", "Acme", "Zeta"]
    assert "New plan" in viewer_client.get(URL).content.decode()
    Membership.objects.filter(workspace=zeta, user=viewer).update(role=Role.VIEWER)
    assert "New plan" not in viewer_client.get(URL).content.decode()
    Workspace.objects.filter(pk=zeta.pk).update(name="Alpha team")
    assert options(viewer_client) == ["Every workspace", "Acme", "Alpha team"]
    chosen = viewer_client.get(URL, {"workspace": zeta.pk}).content.decode()
    assert f'<option value="{zeta.pk}" selected>Alpha team</option>' in chosen
    assert options(outsider_client) == ["Every workspace", "Elsewhere"]


def test_no_match_says_so_and_offers_to_clear(viewer_client: Client, plan: Plan) -> None:
    html = viewer_client.get(URL, {"q": "nothing like it"}).content.decode()
    assert "No plan matches" in html and _names(html) == []
    assert f'<a class="button" href="{URL}">Clear search and filters</a>' in html


def test_no_plans_yet_says_what_to_do_next(
    editor_client: Client, viewer_client: Client, workspace: Workspace
) -> None:
    editor_html = editor_client.get(URL).content.decode()
    assert "No plans yet" in editor_html and "Create your first plan" in editor_html
    assert 'role="search"' not in editor_html  # nothing to search yet
    viewer_html = viewer_client.get(URL).content.decode()
    assert "Ask a workspace admin" in viewer_html and "Create your first plan" not in viewer_html


def test_an_outsider_sees_none_of_the_workspace_plans(outsider_client: Client, plan: Plan) -> None:
    html = outsider_client.get(URL).content.decode()
    assert plan.name not in html and "No plans yet" in html


@pytest.mark.parametrize("plans", [3, 30])
@pytest.mark.parametrize("query", [{}, {"page": "2"}, {"q": "plan", "audience": "b2c"}])
def test_a_page_costs_the_same_queries_whatever_the_number_of_plans(
    viewer_client: Client,
    workspace: Workspace,
    django_assert_num_queries,
    plans: int,
    query: dict[str, str],
) -> None:
    for number in range(plans):
        _measured_plan(workspace, f"Plan {number}", "30", "10")
    # Session, user, workspaces for the filter, count, the page's plans, their newest plan-side
    # change, their KPIs' roll-ups kept by the portfolio, their newest actual change,
    # can-create, the header's unread notifications. The first time, the page's plans are
    # judged (their KPIs with latest actuals) and kept in a savepoint: four more.
    with django_assert_num_queries(14):
        viewer_client.get(URL, query)
    with django_assert_num_queries(10):
        html = viewer_client.get(URL, query).content.decode()
    assert "1 of 2 on track" in html
