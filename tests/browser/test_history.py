"""Someone reads a long plan history page by page: older, newer and back to the newest."""

import os

from playwright.sync_api import Page, expect

from plans import history
from plans.models import Role
from tests.factories import PASSWORD, make_member, make_plan, make_tactic, make_workspace


def test_a_viewer_pages_through_the_history_and_back(
    live_server, page: Page, transactional_db
) -> None:
    workspace = make_workspace(name="Trail")
    user = make_member(workspace=workspace, role=Role.VIEWER, username="trail-viewer")
    plan = make_plan(workspace=workspace, name="Long trail")
    for number in range(history.PAGE_SIZE + 5):
        make_tactic(plan=plan, title=f"Tactic {number:02}")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/plans/{plan.pk}/history/")

    entries = page.locator(".history-entry")
    expect(entries).to_have_count(history.PAGE_SIZE)
    expect(page.get_by_text("The newest changes, from")).to_be_visible()
    expect(entries.first).to_contain_text("Tactic “Tactic 54”")
    expect(page.get_by_role("link", name="Newer changes")).to_have_count(0)
    if shots := os.environ.get("HISTORY_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/history-newest.png", full_page=True)

    page.get_by_role("link", name="Older changes").click()
    expect(entries).to_have_count(6)  # tactics 04 to 00 and the plan itself
    expect(entries.first).to_contain_text("Tactic “Tactic 04”")
    expect(entries.last).to_contain_text("Plan “Long trail”")
    expect(page.get_by_text("the oldest recorded")).to_be_visible()
    expect(page.get_by_role("link", name="Older changes")).to_have_count(0)
    if shots:
        page.screenshot(path=f"{shots}/history-oldest.png", full_page=True)

    page.get_by_role("link", name="Newer changes").click()
    expect(entries).to_have_count(history.PAGE_SIZE)  # the newest fifty again
    expect(entries.first).to_contain_text("Tactic “Tactic 54”")
    expect(entries.last).to_contain_text("Tactic “Tactic 05”")
    expect(page.get_by_role("link", name="Newer changes")).to_have_count(0)
    page.get_by_role("link", name="Older changes").click()
    page.get_by_role("link", name="Newest changes").click()
    expect(entries.first).to_contain_text("Tactic “Tactic 54”")
    expect(page.get_by_text("The newest changes, from")).to_be_visible()
