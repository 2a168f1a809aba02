"""The portfolio page: pages of plans with their statuses, the Overall filter across pages,
and a query count that stays the same whatever the number of plans."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from plans.models import Plan, Workspace
from tests.factories import make_kpi, make_measurement, make_plan

URL = reverse("kpis-portfolio")


def _plan(workspace: Workspace, name: str, *values: str) -> Plan:
    """A plan 30 days into its 91, with a KPI from 0 to 91 per value, measured today: 30 is
    on track, 20 at risk, 10 off track."""
    start = date.today() - timedelta(days=30)
    plan = make_plan(
        workspace=workspace, name=name, period_start=start, period_end=start + timedelta(days=91)
    )
    for number, value in enumerate(values):
        kpi = make_kpi(plan=plan, name=f"KPI {number}", baseline="0", target="91")
        make_measurement(kpi=kpi, on=date.today(), value=value)
    return plan


def _rows(html: str) -> dict[str, str]:
    """Plan name → its Overall colour as the page shows it."""
    return {name: status for name, status, _ in _overall(html)}


def _overall(html: str) -> list[tuple[str, str, str]]:
    """(plan name, Overall colour, Overall words) of each row."""
    return re.findall(
        r'<th scope="row"><a [^>]*>([^<]+)</a>.*?<td class="cell cell-(\w+)">([^<]*)<br>'
        r'<span class="muted">[^<]*</span></td>\s*</tr>',
        html,
        re.S,
    )


@pytest.fixture
def two_per_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpis.dashboards import views

    monkeypatch.setattr(views, "PLANS_PER_PAGE", 2)


def test_each_page_shows_its_own_plans_with_their_statuses(
    viewer_client: Client, workspace: Workspace, two_per_page: None
) -> None:
    for name, value in [("A", "30"), ("B", "20"), ("C", "10"), ("D", "30"), ("E", "20")]:
        _plan(workspace, name, value)
    html = viewer_client.get(URL).content.decode()
    assert "5 plans." in html and "Page 1 of 3" in html
    # The same start: plans are listed by name.
    # One KPI each: B's is at risk, so none of its KPIs is on track.
    assert _rows(html) == {"A": "on_track", "B": "off_track"}
    html = viewer_client.get(URL, {"page": 3}).content.decode()
    assert _rows(html) == {"E": "off_track"}


def test_overall_counts_the_kpis_on_track_instead_of_showing_the_worst(
    viewer_client: Client, workspace: Workspace
) -> None:
    _plan(workspace, "Mostly fine", "30", "30", "30", "30", "10")  # 4 of 5: 80 %
    _plan(workspace, "Half there", "30", "10")  # 1 of 2: 50 %
    _plan(workspace, "Behind", "30", "20", "10")  # 1 of 3
    _plan(workspace, "Not measured")
    html = viewer_client.get(URL).content.decode()
    assert _overall(html) == [
        ("Behind", "off_track", "1 of 3 on track"),
        ("Half there", "at_risk", "1 of 2 on track"),
        ("Mostly fine", "on_track", "4 of 5 on track"),
        ("Not measured", "no_data", "No KPIs"),
    ]
    assert "green when at least 80" in html  # the rule is on the page


def test_the_status_filter_is_exact_across_pages(
    viewer_client: Client, workspace: Workspace, two_per_page: None
) -> None:
    _plan(workspace, "Fine", "30", "30")
    _plan(workspace, "One behind", "30", "20")  # at risk: 1 of 2 on track
    _plan(workspace, "Far behind", "20", "10")  # off track: none on track
    _plan(workspace, "Also behind", "20")  # off track
    _plan(workspace, "Behind too", "20", "30")  # at risk
    _plan(workspace, "Two of three", "30", "30", "10")  # at risk: 67 %
    _plan(workspace, "Not measured")  # no KPIs: no data
    first = viewer_client.get(URL, {"status": "at_risk"}).content.decode()
    assert "3 plans." in first and "Page 1 of 2" in first
    second = viewer_client.get(URL, {"status": "at_risk", "page": "2"}).content.decode()
    shown = _rows(first) | _rows(second)
    assert shown == {"Two of three": "at_risk", "Behind too": "at_risk", "One behind": "at_risk"}
    assert 'href="?status=at_risk&amp;page=2"' in first
    html = viewer_client.get(URL, {"status": "no_data"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and _rows(html) == {"Not measured": "no_data"}


def test_a_future_actual_does_not_count_yet(viewer_client: Client, workspace: Workspace) -> None:
    plan = _plan(workspace, "Early")
    kpi = make_kpi(plan=plan, name="Planned", baseline="0", target="91")
    make_measurement(kpi=kpi, on=date.today() + timedelta(days=1), value="0")
    assert _rows(viewer_client.get(URL, {"status": "no_data"}).content.decode()) == {
        "Early": "no_data"
    }
    assert "No plan matches" in viewer_client.get(URL, {"status": "off_track"}).content.decode()


@pytest.mark.parametrize("plans", [3, 12])
@pytest.mark.parametrize("query", [{}, {"page": "2"}, {"status": "at_risk"}])
def test_queries_stay_the_same_whatever_the_number_of_plans(
    viewer_client: Client,
    workspace: Workspace,
    two_per_page: None,
    django_assert_num_queries,
    plans: int,
    query: dict[str, str],
) -> None:
    for number in range(plans):
        _plan(workspace, f"Plan {number}", "20", "30")
    # Session, user, quarters, count, the page's plans, their rows kept from the last time,
    # workspaces for the filter, the header's unread notifications; with a status filter,
    # first the plans whose stored row no longer holds. The first time, the plans of the page
    # (or, filtered, every plan) are judged, their KPIs in one query, and their rows stored
    # (in a savepoint).
    filtered = "status" in query
    with django_assert_num_queries(13 if filtered else 12):
        assert viewer_client.get(URL, query).status_code == 200
    with django_assert_num_queries(9 if filtered else 8):  # nothing changed since
        assert viewer_client.get(URL, query).status_code == 200


def test_a_row_shows_names_as_text_its_period_and_each_stage(
    viewer_client: Client, workspace: Workspace
) -> None:
    """The rows are written in Python (portfolio_html.py): names escaped, the dashboard link,
    the period, and a cell per stage that counts its KPIs."""
    plan = _plan(workspace, '<b>Q3 "push"</b> & more', "30")
    html = viewer_client.get(URL).content.decode()
    assert "&lt;b&gt;Q3 &quot;push&quot;&lt;/b&gt; &amp; more" in html and "<b>Q3" not in html
    assert f'<a href="{reverse("kpis-dashboard", args=[plan.pk])}">' in html
    period = f"{plan.period_start:%-d %b %Y} – {plan.period_end:%-d %b %Y}"
    assert f'<td class="col-wide">{period}</td>' in html
    assert 'On track<br><span class="muted">1 KPI</span>' in html  # its one KPI, in Reach
    assert html.count('<span class="muted">No KPIs</span>') == 4  # the other stages
    assert "Active · B2C" in html
