"""Plan dashboard, portfolio dashboard and reverse calculator pages."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from plans.models import Plan, Workspace
from tests.factories import make_kpi, make_measurement, make_member, make_plan, make_tactic
from tests.markup import page_figures


def _fill(plan: Plan, *, kpis: int, weeks: int) -> None:
    stages = ("plan", "reach", "act", "convert", "engage")
    for n in range(kpis):
        kpi = make_kpi(plan=plan, stage=stages[n % 5], name=f"KPI {n}", target="500")
        for week in range(weeks):
            make_measurement(
                kpi=kpi, on=plan.period_start + timedelta(weeks=week), value=str(100 + 10 * week)
            )
        if n < 4:
            plan.worksheets.filter(stage=stages[n + 1]).update(primary_kpi=kpi)
        make_tactic(plan=plan, stage=kpi.stage, channel=f"Channel {n % 3}")


def test_dashboard_shows_stages_kpis_and_figures(viewer_client: Client, plan: Plan) -> None:
    _fill(plan, kpis=5, weeks=3)
    response = viewer_client.get(reverse("kpis-dashboard", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    figures = page_figures(html)
    assert {"fig-budget-stage", "fig-budget-channel"} <= set(figures)
    kpi_figures = [key for key in figures if key.startswith("fig-kpi-")]
    assert len(kpi_figures) == 5
    for key in figures:
        assert f'data-chart="{key}"' in html
    assert "KPI 3" in html and "Work back from these targets" in html
    assert (
        'src="/static/vendor/plotly-basic.min.js"' in html and 'src="/static/js/charts.js"' in html
    )
    # Viewers read; they are not offered the buttons that write.
    assert "Weekly check-in" not in html and "Export CSV" in html


def test_dashboard_period_filter_and_htmx_partial(editor_client: Client, plan: Plan) -> None:
    _fill(plan, kpis=2, weeks=6)
    url = reverse("kpis-dashboard", args=[plan.pk])
    start, end = plan.period_start, plan.period_start + timedelta(days=14)
    query = {"start": start.isoformat(), "end": end.isoformat()}
    response = editor_client.get(url, query, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "Weekly check-in" not in html  # just the body fragment
    assert f"Showing {start:%-d %b %Y} – {end:%-d %b %Y}" in html
    actual = next(
        t
        for t in page_figures(html)[f"fig-kpi-{plan.kpis.get(name='KPI 0').pk}"]["data"]
        if t["name"] == "Actual"
    )
    assert len(actual["x"]) == 3  # weeks 0, 1 and 2 of six
    # A full page load with the same query (history restore, bookmark) renders the whole page.
    full = editor_client.get(url, query)
    assert "<html" in full.content.decode() and "Weekly check-in" in full.content.decode()


def test_dashboard_invalid_period_shows_error_and_whole_plan(
    editor_client: Client, plan: Plan
) -> None:
    response = editor_client.get(
        reverse("kpis-dashboard", args=[plan.pk]), {"start": "2026-09-01", "end": "2026-08-01"}
    )
    html = response.content.decode()
    assert "The end of the period must be on or after its start." in html
    assert f"Showing {plan.period_start:%-d %b %Y}" in html


def test_audience_filter_only_for_plans_with_both(
    editor_client: Client, workspace: Workspace
) -> None:
    both = make_plan(workspace=workspace, audience="both")
    make_kpi(plan=both, name="Consumers", audience="b2c")
    make_kpi(plan=both, name="Companies", audience="b2b")
    url = reverse("kpis-dashboard", args=[both.pk])
    assert 'name="audience"' in editor_client.get(url).content.decode()
    html = editor_client.get(url, {"audience": "b2b"}).content.decode()
    assert "Companies" in html and "Consumers" not in html
    b2c = make_plan(workspace=workspace, audience="b2c")
    assert (
        'name="audience"'
        not in editor_client.get(reverse("kpis-dashboard", args=[b2c.pk])).content.decode()
    )


@pytest.mark.parametrize("kpis,weeks", [(2, 2), (40, 13)])
def test_dashboard_queries_are_constant(
    editor_client: Client, plan: Plan, django_assert_max_num_queries, kpis: int, weeks: int
) -> None:
    _fill(plan, kpis=kpis, weeks=weeks)
    # Budget 15; today 8: session, user, plan with role, KPIs, actuals, worksheets, tactics,
    # and the header's unread notifications.
    with django_assert_max_num_queries(8):
        response = editor_client.get(reverse("kpis-dashboard", args=[plan.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        editor_client.get(
            reverse("kpis-dashboard", args=[plan.pk]),
            {"start": "2026-08-01", "audience": "b2c"},
            HTTP_HX_REQUEST="true",
        )


def test_dashboard_size_budget(editor_client: Client, plan: Plan) -> None:
    _fill(plan, kpis=40, weeks=13)
    response = editor_client.get(reverse("kpis-dashboard", args=[plan.pk]))
    assert len(response.content) <= 200 * 1024


def _fill_in_bulk(plan: Plan, *, kpis: int, weeks: int) -> None:
    """Like `_fill`, at a size the factories would take minutes for."""
    from kpis.models import Measurement

    stages = ("plan", "reach", "act", "convert", "engage")
    rows = []
    for n in range(kpis):
        kpi = make_kpi(plan=plan, stage=stages[n % 5], name=f"Key performance indicator {n}")
        rows += [
            Measurement(
                kpi=kpi,
                date=plan.period_start + timedelta(weeks=week),
                value=Decimal("1000.5") + Decimal("77.1234") * week + n,
            )
            for week in range(weeks)
        ]
    Measurement.objects.bulk_create(rows)


def test_dashboard_of_200_kpis_and_a_year_of_weekly_actuals_stays_small(
    editor_client: Client, workspace: Workspace, django_assert_max_num_queries
) -> None:
    """The figures go as one compact document: under 200 KB, every chart and sentence shown."""
    plan = make_plan(
        workspace=workspace, period_start=date(2026, 7, 6), period_end=date(2027, 7, 4)
    )
    _fill_in_bulk(plan, kpis=200, weeks=52)
    with django_assert_max_num_queries(8):  # with the header's unread count
        response = editor_client.get(reverse("kpis-dashboard", args=[plan.pk]))
    html = response.content.decode()
    assert len(response.content) < 200 * 1024
    assert html.count('class="chart chart-kpi"') == 200 and html.count("expected ") == 200
    figures = page_figures(html)
    kpi = plan.kpis.get(name="Key performance indicator 7")
    actual = figures[f"fig-kpi-{kpi.pk}"]["data"][2]
    assert len(actual["x"]) == 52 and actual["x"][-1] == "2027-06-28"
    assert actual["y"][:2] == [1007.5, 1084.62]  # six significant digits, exactly


def test_kpi_cards_escape_names_and_label_their_charts(viewer_client: Client, plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name='<img src=x onerror="alert(1)"> & more')
    make_measurement(kpi=kpi, on=plan.period_start, value="120")
    html = viewer_client.get(reverse("kpis-dashboard", args=[plan.pk])).content.decode()
    assert "<img" not in html
    assert (
        f'<h3 id="k{kpi.pk}">&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; more</h3>' in html
    )
    # The chart's accessible name is the KPI's name and a sentence for screen readers.
    labels = f'aria-labelledby="k{kpi.pk} s{kpi.pk}"'
    assert f'data-chart="fig-kpi-{kpi.pk}" role="img" {labels}' in html
    sentence = re.search(rf'<p class="visually-hidden" id="s{kpi.pk}">(.*?)</p>', html)
    assert sentence and "120 on 1 Jul, expected 100 by then" in sentence.group(1)


def test_dashboard_empty_plan_says_what_to_do(editor_client: Client, plan: Plan) -> None:
    html = editor_client.get(reverse("kpis-dashboard", args=[plan.pk])).content.decode()
    assert "No KPIs in this stage" in html
    assert "Choose a primary KPI" in html  # the funnel's own message


def test_dashboard_outsider_404(outsider_client: Client, plan: Plan) -> None:
    assert outsider_client.get(reverse("kpis-dashboard", args=[plan.pk])).status_code == 404


def test_portfolio_lists_visible_plans_with_stage_statuses(
    viewer_client: Client, viewer, workspace: Workspace
) -> None:
    mine = make_plan(workspace=workspace, name="Mine")
    kpi = make_kpi(plan=mine, stage="reach", baseline="0", target="100")
    make_measurement(kpi=kpi, on=date.today(), value="0")
    make_plan(name="Someone else's")
    html = viewer_client.get(reverse("kpis-portfolio")).content.decode()
    assert "Mine" in html and "Someone else" not in html
    assert reverse("kpis-dashboard", args=[mine.pk]) in html
    assert "cell-no_data" in html


def test_portfolio_filters(editor_client: Client, editor, workspace: Workspace) -> None:
    q3 = make_plan(workspace=workspace, name="Summer", status="active")
    q4 = make_plan(
        workspace=workspace,
        name="Winter",
        status="draft",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
    )
    other = make_plan(name="Other workspace")
    make_member(workspace=other.workspace, role="viewer", username=None)
    from plans.models import Membership

    Membership.objects.create(workspace=other.workspace, user=editor, role="viewer")
    url = reverse("kpis-portfolio")
    html = editor_client.get(url, {"quarter": "2026-Q4"}).content.decode()
    assert "Winter" in html and "Summer" not in html
    html = editor_client.get(url, {"plan_status": "active"}).content.decode()
    assert "Summer" in html and "Winter" not in html
    html = editor_client.get(
        url, {"workspace": other.workspace.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Other workspace" in html and "Summer" not in html and "<html" not in html
    html = editor_client.get(url, {"status": "off_track"}).content.decode()
    assert "No plan matches these filters" in html
    assert q3 and q4


@pytest.mark.parametrize("plans", [1, 8])
def test_portfolio_queries_are_constant(
    editor_client: Client, workspace: Workspace, django_assert_max_num_queries, plans: int
) -> None:
    for _ in range(plans):
        plan = make_plan(workspace=workspace)
        _fill(plan, kpis=3, weeks=2)
    # Session, user, quarters, count, plans, their kept rows, workspaces for the filter, unread
    # count; the first time, the plans judged (KPIs with latest actuals) and kept: four more.
    with django_assert_max_num_queries(12):
        assert editor_client.get(reverse("kpis-portfolio")).status_code == 200
    with django_assert_max_num_queries(8):
        assert editor_client.get(reverse("kpis-portfolio")).status_code == 200


def test_portfolio_empty_state(client: Client, db: None) -> None:
    from tests.factories import make_user

    client.force_login(make_user())
    assert "No plans to show" in client.get(reverse("kpis-portfolio")).content.decode()


def test_reverse_calculator(viewer_client: Client) -> None:
    url = reverse("kpis-reverse-calculator")
    assert "Enter a target" in viewer_client.get(url).content.decode()
    response = viewer_client.get(
        url,
        {
            "target_kind": "revenue",
            "revenue": "10000",
            "average_order_value": "50",
            "lead_to_customer": "10",
            "visitor_to_lead": "2",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" not in html
    # 200 customers -> 2,000 leads -> 100,000 visitors
    assert "100,000" in html and "2,000" in html and "200" in html


def test_reverse_calculator_errors(viewer_client: Client) -> None:
    html = viewer_client.get(
        reverse("kpis-reverse-calculator"),
        {"target_kind": "revenue", "revenue": "", "lead_to_customer": "0", "visitor_to_lead": "2"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Enter the revenue you want to reach." in html
    assert "Enter an average order value above 0." in html
    assert "Lead-to-customer rate (%)" in html


def test_plan_page_links_to_dashboard(viewer_client: Client, plan: Plan) -> None:
    html = viewer_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert reverse("kpis-dashboard", args=[plan.pk]) in html
    assert reverse("kpis-portfolio") in html  # main navigation


def test_portfolio_pages_keep_the_filters(
    editor_client: Client, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpis.dashboards import views

    monkeypatch.setattr(views, "PLANS_PER_PAGE", 1)
    make_plan(workspace=workspace, name="First", status="active")
    make_plan(workspace=workspace, name="Second", status="active")
    make_plan(workspace=workspace, name="Draft one", status="draft")
    html = editor_client.get(reverse("kpis-portfolio"), {"plan_status": "active"}).content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?plan_status=active&amp;page=2"' in html


def test_quick_periods_and_calculator_link(editor_client: Client, plan: Plan) -> None:
    _fill(plan, kpis=5, weeks=2)  # primary KPIs with target 500 each
    html = editor_client.get(reverse("kpis-dashboard", args=[plan.pk])).content.decode()
    assert "?start=2026-07-01&amp;end=2026-07-31" in html and ">Jul 2026</a>" in html
    assert ">Sep 2026</a>" in html and "Whole plan" in html
    assert (
        "target_kind=customers&amp;customers=500&amp;lead_to_customer=100&amp;visitor_to_lead=100"
        in html
    )


def test_dashboard_runs_no_inline_script_under_the_csp(viewer_client: Client, plan: Plan) -> None:
    _fill(plan, kpis=2, weeks=2)
    response = viewer_client.get(reverse("kpis-dashboard", args=[plan.pk]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    for tag in re.findall(r"<script\b[^>]*>", response.content.decode()):
        assert 'type="application/json"' in tag or 'src="/static/' in tag, tag


def test_vendored_plotly_is_the_basic_bundle_of_the_installed_version() -> None:
    """The dashboard's plotly.js (scatter, bar and pie only) and the full bundle kaleido uses
    for the PDF are the same plotly.js version, and the file is the one its note describes."""
    import hashlib
    from pathlib import Path

    import plotly

    vendor = Path(__file__).resolve().parents[3] / "static" / "vendor"
    bundle = (vendor / "plotly-basic.min.js").read_bytes()
    installed = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    version = re.search(rb"plotly\.js v(\S+)", installed[:200])
    assert version, "plotly's bundle no longer names its version in its first lines"
    assert bundle.startswith(b"/**\n* plotly.js (basic - minified) v" + version.group(1) + b"\n"), (
        "Vendor plotly.js-basic-dist-min of the installed plotly.js version (see its VERSION note)."
    )
    note = (vendor / "plotly-basic.VERSION").read_text()
    assert f"plotly.js-basic-dist-min {version.group(1).decode()} " in note
    assert hashlib.sha256(bundle).hexdigest() in note
    assert (vendor / "plotly-basic.LICENSE").read_text().startswith("MIT License")
    assert not (vendor / "plotly.min.js").exists()  # the full bundle is no longer served


def test_dashboard_export_pdf_keeps_the_filters(viewer_client: Client, plan: Plan) -> None:
    url = reverse("kpis-dashboard", args=[plan.pk])
    html = viewer_client.get(url, {"start": "2026-08-03", "end": "2026-08-30"}).content.decode()
    review = reverse("kpis-review", args=[plan.pk])
    assert f'href="{review}?start=2026-08-03&amp;end=2026-08-30">Export PDF</a>' in html
    # A filter changed through htmx swaps only the body; the header's link comes along out of band.
    fragment = viewer_client.get(
        url, {"start": "2026-09-07", "end": "2026-09-27"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        f'id="export-pdf" href="{review}?start=2026-09-07&amp;end=2026-09-27" hx-swap-oob="true"'
        in fragment
    )
    assert fragment.count('id="export-pdf"') == 1 and html.count('id="export-pdf"') == 1
    options = viewer_client.get(f"{review}?start=2026-08-03&end=2026-08-30").content.decode()
    assert 'value="2026-08-03"' in options and 'value="2026-08-30"' in options


def test_calculator_link_over_100_percent_opens_a_result(viewer_client: Client, plan: Plan) -> None:
    # More sign-ups planned than visitors: a rate of 200 %, which the calculator refuses.
    visitors = make_kpi(plan=plan, stage="reach", target="100")
    signups = make_kpi(plan=plan, stage="act", target="200")
    buyers = make_kpi(plan=plan, stage="convert", target="20")
    for stage, kpi in (("reach", visitors), ("act", signups), ("convert", buyers)):
        plan.worksheets.filter(stage=stage).update(primary_kpi=kpi)
    html = viewer_client.get(reverse("kpis-dashboard", args=[plan.pk])).content.decode()
    link = re.search(r'href="(/tools/reverse-funnel/[^"]*)"', html)
    assert link, "no calculator link"
    page = viewer_client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "This field is required" not in page
    assert "over 100 %" in page  # says which rate was filled in for the plan's
    # 20 buyers at the plan's 10 %, then the calculator's usual 3 % visitor-to-lead rate.
    assert re.search(r"Visitors</span><strong>6,667<", page)
