"""The new-plan form in real Chromium: only the fields that matter for the choice made."""

import pytest
from playwright.sync_api import Browser, Page, expect

from plans.models import Plan, Role
from tests.browser.test_worksheet import log_in
from tests.factories import make_member, make_workspace

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor() -> None:
    make_member(workspace=make_workspace(name="Acme"), role=Role.EDITOR, username="marketer")


def test_the_dates_show_only_for_other_dates(live_server, page: Page, editor: None) -> None:
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/new/")
    starts, ends = (
        page.get_by_label("Starts (other dates)"),
        page.get_by_label("Ends (other dates)"),
    )
    expect(starts).to_be_hidden()
    expect(ends).to_be_hidden()
    # htmx brings the suggestions as the audience changes: no button to ask for them.
    expect(
        page.get_by_role("button", name="Show suggestions for the chosen audience")
    ).to_have_count(0)

    page.get_by_label("Period", exact=True).select_option(label="Other dates (fill in below)")
    expect(starts).to_be_visible()
    expect(ends).to_be_visible()
    page.get_by_label("Plan name").fill("Spring push")
    page.get_by_role("button", name="Create plan").click()
    # No dates given: the error shows beside the fields, which stay in view.
    expect(page.get_by_text("Pick a quarter above, or give both dates.").first).to_be_visible()
    expect(starts).to_be_visible()
    starts.fill("2027-03-01")
    ends.fill("2027-05-31")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Spring push")).to_be_visible()
    plan = Plan.objects.get(name="Spring push")
    assert (plan.period_start.isoformat(), plan.period_end.isoformat()) == (
        "2027-03-01",
        "2027-05-31",
    )


def test_without_javascript_the_button_shows_the_suggestions(
    live_server, browser: Browser, editor: None
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/new/")
    page.get_by_label("Audience", exact=True).select_option("b2b")
    page.get_by_role("button", name="Show suggestions for the chosen audience").click()
    expect(page.get_by_label("Generate 120 MQLs per quarter by Q4")).to_be_checked()
    context.close()
