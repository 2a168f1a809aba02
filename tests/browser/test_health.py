"""A marketer opens the demo plan: the health panel arrives on the worksheet and the dashboard,
and its link leads to every finding, each linking to what fixes it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from plans.models import Plan
from tests.browser.test_dashboard import _log_in


@pytest.mark.django_db(transaction=True)
def test_the_health_panel_leads_to_the_findings_and_their_fixes(
    live_server, page: Page, shots: Path, greenstyle: Plan
) -> None:
    plan = greenstyle
    problems = _log_in(page, live_server.url, "marketer")

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    panel = page.get_by_role("region", name="Plan health")
    expect(panel).to_contain_text("/ 100")  # loaded after the page, by htmx
    expect(panel.get_by_role("listitem")).to_have_count(3)
    expect(panel).to_contain_text("Engage notes leave actions empty")
    panel.screenshot(path=str(shots / "health-panel-worksheet.png"))

    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    panel = page.get_by_role("region", name="Plan health")
    expect(panel).to_contain_text("/ 100")
    page.screenshot(path=str(shots / "health-panel-dashboard.png"))

    panel.get_by_role(
        "link", name=re.compile(r"^All \d+ findings and how the score is made$")
    ).click()
    expect(page.get_by_role("heading", name="Plan health check")).to_be_visible()
    page.get_by_text("How the score is made").click()
    expect(page.get_by_role("table")).to_contain_text("A stage has no KPI.")
    page.screenshot(path=str(shots / "health-page.png"), full_page=True)

    page.get_by_role("link", name="Engage notes leave actions empty").click()
    actions = page.locator("#ws-form-engage textarea[name$='actions']")
    expect(actions).to_be_visible()
    expect(actions).to_have_value("")
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_the_findings_without_edit_links(
    live_server, page: Page, greenstyle: Plan
) -> None:
    plan = greenstyle
    _log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/plans/{plan.pk}/health/")
    finding = page.get_by_role("link", name="Engage notes leave actions empty")
    expect(finding).to_have_attribute("href", f"/plans/{plan.pk}/#stage-engage")


@pytest.mark.django_db(transaction=True)
def test_the_page_stays_put_when_the_panel_arrives(
    live_server, page: Page, greenstyle: Plan
) -> None:
    """The panel comes after the page: its place is kept, so what the reader is about to click
    (a row's menu, the dashboard's filters) does not jump down under the pointer."""
    _log_in(page, live_server.url, "marketer")
    held: list[Route] = []
    page.route("**/health/panel/", lambda route: held.append(route))  # held until measured
    for path, below in (("/", "#stage-nav"), ("/dashboard/", "form.filters")):
        page.goto(f"{live_server.url}/plans/{greenstyle.pk}{path}")
        while not held:
            page.wait_for_timeout(20)
        top = page.locator(below).bounding_box()
        held.pop().continue_()
        expect(page.locator("#health-panel")).to_contain_text("/ 100")
        assert top is not None and page.locator(below).bounding_box() == top, path
