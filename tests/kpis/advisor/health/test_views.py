"""The health check page and its panel: members read it, links fit the reader, outsiders 404;
the worksheet and the plan dashboard load the panel after they are drawn, a share link never."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from plans.models import KPI, Plan, StageWorksheet
from tests.factories import make_kpi, make_objective, make_tactic
from tests.sharing.conftest import public_url, share


def _findings(plan: Plan) -> KPI:
    """Three findings: an unmeasured objective, a KPI without baseline, a tactic without owner."""
    kpi = make_kpi(plan=plan, stage="reach", name="Store visits", baseline="0", target="900")
    make_objective(plan=plan, stage="reach", title="Be the first name in slow fashion")
    make_tactic(plan=plan, stage="reach", title="Window posters", owner="")
    return kpi


def _page(client: Client, plan: Plan, suffix: str = "", **headers: str) -> str:
    response = client.get(f"/plans/{plan.pk}/health/{suffix}", **headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def test_an_editor_sees_the_score_its_rule_and_findings_by_severity(
    editor_client: Client, plan: Plan
) -> None:
    _findings(plan)
    page = _page(editor_client, plan)
    assert re.search(r'<span class="score status-\w+">\d+</span>', page)
    assert "How the score is made" in page and "takes off at most 20" in page
    assert page.index(">Medium<") < page.index(">Low<")  # grouped, most severe first
    objective = plan.objectives.get(title__startswith="Be the first")
    assert (
        f'<a href="/plans/{plan.pk}/objective/{objective.pk}/edit/">Objective '
        "“Be the first name in slow fashion” is not measured by a KPI</a>"
    ) in page


def test_a_viewer_reads_the_findings_and_is_linked_to_the_worksheet(
    viewer_client: Client, plan: Plan
) -> None:
    kpi = _findings(plan)
    page = _page(viewer_client, plan)
    assert f'href="/plans/{plan.pk}/#kpi-{kpi.pk}">KPI “Store visits” has no baseline' in page
    assert "/edit/" not in page
    assert viewer_client.post(f"/plans/{plan.pk}/health/").status_code == 405


def test_outsiders_and_unknown_plans_get_404(
    outsider_client: Client, editor_client: Client, plan: Plan
) -> None:
    for suffix in ("", "panel/"):
        assert outsider_client.get(f"/plans/{plan.pk}/health/{suffix}").status_code == 404
        assert editor_client.get(f"/plans/{plan.pk + 99}/health/{suffix}").status_code == 404


def test_a_plan_without_findings_is_congratulated(editor_client: Client, plan: Plan) -> None:
    from tests.kpis.advisor.health.test_rules import healthy_plan

    healthy = healthy_plan()
    Plan.objects.filter(pk=healthy.pk).update(workspace=plan.workspace)
    # Today, not the rules' test day: a full quarter of weekly actuals would be missing.
    healthy.kpis.update(cadence="none")
    page = _page(editor_client, healthy)
    assert ">100</span>" in page
    assert "Well done: the plan passes every check" in page
    assert f'href="/plans/{healthy.pk}/dashboard/"' in page  # what to look at next


def test_the_panel_shows_the_score_top_three_and_a_link_to_all(
    editor_client: Client, plan: Plan
) -> None:
    _findings(plan)
    StageWorksheet.objects.filter(plan=plan).update(opportunity="x", strategy="y", actions="z")
    panel = _page(editor_client, plan, "panel/", HTTP_HX_REQUEST="true")
    assert "<html" not in panel and 'id="health-panel"' in panel
    assert panel.count("<li>") == 3
    found = re.search(r"All (\d+) findings and how the score is made", panel)
    assert found and int(found.group(1)) > 3
    assert f'href="/plans/{plan.pk}/health/"' in panel


def test_the_worksheet_and_dashboard_load_the_panel_lazily(
    editor_client: Client, plan: Plan
) -> None:
    slot = (
        f'hx-get="/plans/{plan.pk}/health/panel/" hx-trigger="load" hx-swap="outerHTML">'
        f'<p><a href="/plans/{plan.pk}/health/">Plan health check</a></p>'
    )
    for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/dashboard/"):
        page = " ".join(editor_client.get(url).content.decode().split())
        assert " ".join(slot.split()) in page, url


def test_a_share_link_shows_no_health_panel(editor: User, plan: Plan) -> None:
    new = share(plan, by=editor)
    page = Client().get(public_url(new)).content.decode()
    assert plan.name in page
    assert "/health/" not in page


@pytest.mark.parametrize("extra", [0, 30])
def test_the_page_queries_stay_fixed_whatever_the_size(
    editor_client: Client, plan: Plan, extra: int, django_assert_max_num_queries: object
) -> None:
    for i in range(extra):
        make_kpi(plan=plan, stage="act", name=f"Extra {i}", baseline="0")
        make_tactic(plan=plan, stage="convert", owner="")
    # Session, user, the plan with its role, the header's unread count, the five facts.
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        _page(editor_client, plan)


def test_the_health_check_judges_as_of_today(editor_client: Client, plan: Plan) -> None:
    """Missing actuals are counted to today: a plan that started three weeks ago misses two."""
    start = timezone.localdate() - timedelta(weeks=3)
    Plan.objects.filter(pk=plan.pk).update(period_start=start, period_end=start + timedelta(90))
    make_kpi(plan=plan, stage="reach", name="Newsletter readers")
    assert "KPI “Newsletter readers” has no actual for 3 weeks of the plan" in _page(
        editor_client, plan
    )
