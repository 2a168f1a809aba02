"""KPI rows on the worksheet show the latest actual and status, judged by the dashboard's rule
(`kpis` fills `plans.extensions.kpi_readings`), in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpis.dashboards.progress import Status, progress
from plans.models import KPI, Plan, Workspace
from tests.factories import make_kpi, make_measurement, make_plan

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _plan_under_way(workspace: Workspace) -> Plan:
    """A third of the way through its period today: baseline 0 → target 90 expects 30 now."""
    today = timezone.localdate()
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    return make_plan(workspace=workspace, period_start=start, period_end=end)


def _row(html: str, kpi: KPI) -> str:
    start = html.index(f'id="kpi-{kpi.pk}"')
    return html[start : html.index("</li>", start)]


@pytest.mark.parametrize(
    ("value", "status", "words"),
    [
        ("30", "on_track", "On track"),
        ("25", "at_risk", "At risk"),  # 5.6 % of the planned change behind
        ("10", "off_track", "Off track"),
        (None, "no_data", "No data"),
    ],
)
def test_a_kpi_row_shows_its_latest_actual_and_the_dashboards_status(
    editor_client: Client, workspace: Workspace, value: str | None, status: str, words: str
) -> None:
    plan = _plan_under_way(workspace)
    kpi = make_kpi(plan=plan, name="Visitors", baseline="0", target="90")
    today = timezone.localdate()
    if value is not None:
        make_measurement(kpi=kpi, on=today - timedelta(days=7), value="1")
        make_measurement(kpi=kpi, on=today, value=value)
        make_measurement(kpi=kpi, on=today + timedelta(days=3), value="999")  # not yet
    judged = progress(
        baseline=kpi.baseline,
        target=kpi.target,
        direction="up",
        start=plan.period_start,
        end=plan.period_end,
        measurements=[(today, Decimal(value))] if value else [],
        today=today,
    )
    assert judged.status == Status(status)  # the dashboard's own rule says the same

    row = _row(editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode(), kpi)

    assert f'<span class="badge status-{status}">{words}</span>' in row  # words, not colour alone
    if value is None:
        assert "No actuals yet" in row
    else:
        assert f"Latest <strong>{value}</strong>" in row and f"{today.day} " in row
        assert "999" not in row


def test_currency_kpis_read_as_on_the_dashboard(
    editor_client: Client, workspace: Workspace
) -> None:
    plan = _plan_under_way(workspace)
    kpi = make_kpi(plan=plan, name="Revenue", unit="currency", baseline="0", target="90000")
    make_measurement(kpi=kpi, on=timezone.localdate(), value="52495.5")
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert "Latest <strong>EUR 52,496</strong>" in _row(html, kpi)


def test_viewers_see_the_status_too(viewer_client: Client, workspace: Workspace) -> None:
    plan = _plan_under_way(workspace)
    kpi = make_kpi(plan=plan, baseline="0", target="90")
    make_measurement(kpi=kpi, on=timezone.localdate(), value="40")
    html = viewer_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    row = _row(html, kpi)
    assert "On track" in row and "row-menu" not in row


def test_the_kpi_heading_counts_those_on_track(editor_client: Client, workspace: Workspace) -> None:
    plan = _plan_under_way(workspace)
    today = timezone.localdate()
    for value in ("30", "31", "10"):
        make_measurement(kpi=make_kpi(plan=plan, baseline="0", target="90"), on=today, value=value)
    make_kpi(plan=plan, baseline="0", target="90")
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert 'id="count-reach-kpi">(4<span class="on-track-count">, 2 on track</span>)' in html
    # … and the stage bar's refresh brings the same count along, out of band
    nav = editor_client.get(reverse("plans-stage-nav", args=[plan.pk]), **HX).content.decode()
    assert 'id="count-reach-kpi" hx-swap-oob="true">(4<span class="on-track-count">, 2 on' in nav


@pytest.mark.parametrize("kpis", [3, 30])
def test_statuses_cost_one_query_whatever_the_number_of_kpis_and_actuals(
    editor_client: Client, workspace: Workspace, kpis: int, django_assert_num_queries: Any
) -> None:
    plan = _plan_under_way(workspace)
    today = timezone.localdate()
    for n in range(kpis):
        kpi = make_kpi(plan=plan, stage=("reach", "act", "convert")[n % 3], name=f"KPI {n}")
        for week in range(4):
            make_measurement(kpi=kpi, on=today - timedelta(days=7 * week), value=str(100 + n))
    # session, user, plan + role, worksheets, objectives, tactics, KPIs, readings, unread count
    with django_assert_num_queries(9):
        html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert html.count('<p class="item-reading">') == kpis and "No actuals yet" not in html


def test_a_saved_kpi_row_is_judged_against_its_new_target(
    editor_client: Client, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    plan = _plan_under_way(workspace)
    kpi = make_kpi(plan=plan, name="Visitors", baseline="0", target="90")
    make_measurement(kpi=kpi, on=timezone.localdate(), value="30")
    data = {
        "name": "Visitors",
        "audience": "all",
        "unit": "count",
        "direction": "up",
        "baseline": "0",
        "target": "300",  # expects 100 by now
        "definition": "",
        "description": "",
        "version": "1",
    }
    url = reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])
    with django_assert_max_num_queries(8):  # 7, and the plan's content revision
        html = editor_client.post(url, {f"kpi-{kpi.pk}-{k}": v for k, v in data.items()}, **HX)
    assert '<span class="badge status-off_track">Off track</span>' in html.content.decode()
