"""A manager reads the demo dashboard; a marketer imports actuals from a CSV file."""

import os
import re
from datetime import date
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Route, expect

from demo.seeding import seed_demo
from kpis.dashboards.charts import kpi_figure_data
from kpis.dashboards.snapshot import plan_snapshot
from plans.models import Plan, Role
from tests.factories import PASSWORD, make_member, make_workspace
from tests.markup import make_markup_plan
from tests.review_helpers import counting_server

GREENSTYLE = "GreenStyle – online boutique growth"
DEMO_PASSWORD = "race-demo"


def watch_console(page: Page) -> list[str]:
    """The page's console errors and warnings and its script errors, from here on."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def _log_in(page: Page, base: str, username: str, password: str = DEMO_PASSWORD) -> list[str]:
    """Log in and collect console errors and page errors from here on."""
    problems = watch_console(page)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
    return problems


def _points(page: Page, chart: str) -> int:
    return (
        page.locator(f'[data-chart="{chart}"] .scatterlayer .trace')
        .last.locator("path.point")
        .count()
    )


def test_manager_sees_charts_and_changes_the_period(
    live_server, page: Page, transactional_db
) -> None:
    seed_demo()
    plan = Plan.objects.get(name=GREENSTYLE)
    first_kpi = plan.kpis.order_by("position", "id").filter(stage="plan").first()
    assert first_kpi is not None
    chart = f"fig-kpi-{first_kpi.pk}"
    problems = _log_in(page, live_server.url, "manager")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    page.get_by_role("link", name=GREENSTYLE).click()
    expect(page.get_by_role("heading", name=GREENSTYLE)).to_be_visible()

    # What needs attention comes first: the roll-up, then the KPIs behind, then the funnel.
    roll_up = page.get_by_role("heading", name=re.compile(r"^\d+ of 17 KPIs on track$"))
    expect(roll_up).to_be_visible()
    attention = page.get_by_role("heading", name="Needs attention")
    funnel = page.get_by_role("heading", name="Funnel", exact=True)
    tops = [h.bounding_box()["y"] for h in (roll_up, attention, funnel)]  # type: ignore[index]
    assert tops == sorted(tops)
    expect(page.locator(".funnel-row")).to_have_count(4)
    expect(page.locator(".funnel-row").first).to_contain_text("actual of 13,500 target")
    # One legend for every KPI chart, none in the charts themselves.
    expect(page.locator(".chart-legend")).to_have_count(1)
    budget = page.locator('[data-chart="fig-budget-stage"]')
    budget.scroll_into_view_if_needed()  # last on the page, drawn when it comes near the screen
    expect(budget.locator("svg.main-svg").first).to_be_visible()
    kpi_chart = page.locator(f'[data-chart="{chart}"]')
    kpi_chart.scroll_into_view_if_needed()
    expect(kpi_chart.locator("svg.main-svg").first).to_be_visible()
    assert _points(page, chart) == 13
    layers = kpi_chart.locator("svg.main-svg").count()  # plotly draws a chart in a few layers
    # charts.js unpacked the page's chart document into the very figure the PDF draws.
    drawn = kpi_chart.evaluate(
        "el => ({data: el.data.map(t => ({name: t.name, x: t.x, y: t.y})),"
        " unit: el.layout.yaxis.title.text, range: el.layout.xaxis.range})"
    )
    snapshot = plan_snapshot(plan)
    item = next(item for item in snapshot.kpis if item.kpi.pk == first_kpi.pk)
    expected = kpi_figure_data(item, snapshot)
    assert drawn["data"] == [
        {"name": t["name"], "x": t["x"], "y": t["y"]} for t in expected["data"]
    ]
    assert drawn["unit"] == expected["layout"]["yaxis"]["title"]["text"]
    assert drawn["range"] == expected["layout"]["xaxis"]["range"]
    expect(kpi_chart.locator(".legend")).to_have_count(0)
    card = page.locator("article.kpi-card", has=kpi_chart)
    expect(card.locator(".kpi-change")).to_contain_text(f"since {plan.period_start:%-d %b}")

    # The last four weeks only: the charts are drawn again with fewer actuals, no reload.
    page.evaluate("window.notReloaded = true")
    start = plan.period_end.toordinal() - 27
    page.get_by_label("From").fill(date.fromordinal(start).isoformat())
    expect(page.get_by_text(f"Showing {date.fromordinal(start):%-d %b %Y}")).to_be_visible()
    kpi_chart = page.locator(f'[data-chart="{chart}"]')
    kpi_chart.scroll_into_view_if_needed()
    expect(kpi_chart.locator("svg.main-svg").first).to_be_visible()
    expect(kpi_chart.locator(".scatterlayer .trace").last.locator("path.point")).to_have_count(4)
    assert page.evaluate("window.notReloaded") is True
    assert "start=" in page.url  # the filtered view can be bookmarked
    expect(page.locator(".funnel-row")).to_have_count(4)
    expect(page.get_by_label("From")).to_have_value(date.fromordinal(start).isoformat())
    export = page.get_by_role("link", name="Export PDF")
    expect(export).to_have_attribute("href", f"/plans/{plan.pk}/review/?{page.url.split('?')[1]}")

    # And back to the whole plan with a quick period link.
    page.get_by_role("link", name="Whole plan").click()
    expect(page.get_by_text(f"Showing {plan.period_start:%-d %b %Y}")).to_be_visible()
    kpi_chart = page.locator(f'[data-chart="{chart}"]')
    kpi_chart.scroll_into_view_if_needed()
    expect(kpi_chart.locator(".scatterlayer .trace").last.locator("path.point")).to_have_count(13)
    assert page.evaluate("window.notReloaded") is True

    # The back button brings the four weeks back from htmx's copy, charts drawn anew.
    page.go_back()
    expect(page.get_by_text(f"Showing {date.fromordinal(start):%-d %b %Y}")).to_be_visible()
    kpi_chart = page.locator(f'[data-chart="{chart}"]')
    kpi_chart.scroll_into_view_if_needed()
    expect(kpi_chart.locator(".scatterlayer .trace").last.locator("path.point")).to_have_count(4)
    expect(kpi_chart.locator("svg.main-svg")).to_have_count(layers)  # drawn once, not twice
    assert problems == []


def test_marketer_fixes_a_bad_row_and_sees_the_new_value(
    live_server, page: Page, transactional_db, tmp_path: Path
) -> None:
    seed_demo()
    plan = Plan.objects.get(name=GREENSTYLE)
    today = date.today()
    problems = _log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    expect(page.get_by_text("98,765")).to_have_count(0)
    page.get_by_role("link", name="Import CSV").click()

    bad = tmp_path / "actuals.csv"
    bad.write_text(
        f"kpi,date,value,note\nUnique visitors,{today},98765,from analytics\n"
        f"Sign-ups,{today},12.5.1,typo\n",
        encoding="utf-8",
    )
    page.get_by_label("CSV file of actuals").set_input_files(bad)
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_text("1 of 2 rows cannot be imported.")).to_be_visible()
    expect(page.get_by_text("“12.5.1” is not a number.")).to_be_visible()
    expect(page.get_by_role("button", name="Import 2 rows")).to_have_count(0)

    good = tmp_path / "actuals-fixed.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("12.5.1", "431"), encoding="utf-8")
    page.get_by_label("CSV file of actuals").set_input_files(good)
    page.get_by_role("button", name="Check file").click()
    page.get_by_role("button", name="Import 2 rows").click()

    expect(page.get_by_text("Imported ")).to_be_visible()
    expect(page.get_by_role("heading", name=GREENSTYLE)).to_be_visible()
    card = page.locator("article.kpi-card", has=page.get_by_role("heading", name="Unique visitors"))
    expect(card.locator(".kpi-figures strong")).to_have_text("98,765")
    assert problems == []


def test_markup_in_names_shows_as_typed_in_the_charts_and_fetches_nothing(
    live_server, page: Page, transactional_db
) -> None:
    workspace = make_workspace(name="Markup")
    make_member(workspace=workspace, role=Role.VIEWER, username="vera")
    with counting_server() as server:
        made = make_markup_plan(server, workspace=workspace)
        problems = _log_in(page, live_server.url, "vera", PASSWORD)
        page.goto(f"{live_server.url}/plans/{made.plan.pk}/dashboard/")
        charts = page.locator("[data-chart]")
        for n in range(charts.count()):  # charts are drawn as they come near the screen
            charts.nth(n).scroll_into_view_if_needed()
            expect(charts.nth(n).locator("svg.main-svg").first).to_be_visible()
        funnel = page.locator(".funnel-row")
        channels = page.locator('[data-chart="fig-budget-channel"] .ytick')
        for name in made.kpi_names:  # as typed, tags and all
            expect(funnel.filter(has_text=name)).to_have_count(1)
        for channel in made.channels:
            expect(channels.filter(has_text=channel)).to_have_count(1)
        expect(page.locator("[data-chart] a")).to_have_count(0)
        expect(page.locator("[data-chart] tspan[style*='url(']")).to_have_count(0)
        page.wait_for_timeout(500)  # a fetch the drawing started would have arrived by now
    assert server.paths == []
    assert problems == []


def test_filter_button_stays_in_line_after_an_error(
    live_server, page: Page, transactional_db
) -> None:
    seed_demo()
    plan = Plan.objects.get(name=GREENSTYLE)
    problems = _log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    health = page.get_by_role("region", name="Plan health")
    expect(health).to_contain_text("/ 100")  # the panel above arrives after the page
    button = page.get_by_role("button", name="Apply filters")
    before = button.bounding_box()
    # To before From: the form comes back with its error (asked in one request, so no htmx swap
    # of the first field can race the typing of the second).
    start, end = plan.period_end.isoformat(), plan.period_start.isoformat()
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/?start={start}&end={end}")
    expect(page.locator(".filters .field-error").first).to_be_visible()
    expect(health).to_contain_text("/ 100")
    after = page.get_by_role("button", name="Apply filters").bounding_box()
    assert before and after and after["y"] == before["y"]
    assert problems == []


def test_a_kpi_without_actuals_offers_to_add_one(live_server, page: Page, transactional_db) -> None:
    seed_demo()
    plan = Plan.objects.get(name=GREENSTYLE)
    plan.kpis.create(stage="reach", name="Podcast listens", unit="count", target=500)
    problems = _log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    card = page.locator("article.kpi-card", has=page.get_by_role("heading", name="Podcast listens"))
    expect(card).to_contain_text("No actuals yet.")
    expect(card.locator("[data-chart]")).to_have_count(0)
    card.get_by_role("link", name="Add an actual").click()
    expect(page).to_have_url(re.compile(rf"/plans/{plan.pk}/actuals/check-in/$"))
    assert problems == []


def test_the_filters_stay_put_when_the_health_panel_arrives(
    live_server, page: Page, transactional_db, tmp_path: Path
) -> None:
    """The panel's placeholder holds the panel's height: nothing below it moves when it comes."""
    shots = Path(os.environ.get("DASHBOARD_SCREENSHOTS", "") or tmp_path)  # to look at
    seed_demo()
    plan = Plan.objects.get(name=GREENSTYLE)
    problems = _log_in(page, live_server.url, "manager")
    held: list[Route] = []

    def hold(route: Route) -> None:  # the panel waits until the page is measured
        held.append(route)

    page.route("**/health/panel/", hold)
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    page.wait_for_timeout(300)
    assert held, "the page did not ask for its health panel"
    filters = page.locator("form.filters")
    before = filters.bounding_box()
    page.screenshot(path=str(shots / "dashboard-panel-waiting.png"))
    held[0].continue_()
    expect(page.get_by_role("region", name="Plan health")).to_contain_text("/ 100")
    page.wait_for_timeout(200)  # its style sheet
    after = filters.bounding_box()
    page.screenshot(path=str(shots / "dashboard-panel-arrived.png"))
    assert before and after and after["y"] == before["y"]
    assert problems == []
