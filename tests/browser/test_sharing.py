"""A marketer shares the demo dashboard; someone without an account opens the link."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from plans.models import Plan
from sharing.models import ShareLink
from tests.browser.test_dashboard import GREENSTYLE, _log_in, watch_console


@pytest.mark.django_db(transaction=True)
def test_a_shared_dashboard_opens_without_an_account(
    live_server, page: Page, browser: Browser, shots: Path, greenstyle: Plan
) -> None:
    plan = greenstyle
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    problems = _log_in(page, live_server.url, "marketer")

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share the dashboard")).to_be_visible()
    page.get_by_label("Who is it for?").fill("Board, Q3 review")
    page.get_by_label("Let them download the quarterly review PDF").check()
    page.get_by_role("button", name="Create link").click()
    link = page.get_by_label("Link", exact=True)
    url = link.input_value()
    assert url.startswith(f"{live_server.url}/s/")

    copy = page.get_by_role("button", name="Copy link")
    copy.focus()  # by keyboard: the button takes the focus and Enter presses it
    page.keyboard.press("Enter")
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    row = page.get_by_role("row").filter(has_text="Board, Q3 review")
    expect(row).to_contain_text("Active")
    page.screenshot(path=str(shots / "share-page.png"), full_page=True)

    stranger = browser.new_context(viewport={"width": 1280, "height": 900})
    public = stranger.new_page()
    public_problems = watch_console(public)
    public.goto(url)
    expect(public.get_by_role("heading", name=GREENSTYLE, exact=True)).to_be_visible()
    budget = public.locator('[data-chart="fig-budget-stage"]')
    budget.scroll_into_view_if_needed()  # charts are drawn as they come into view
    expect(budget.locator("svg.main-svg").first).to_be_visible()
    expect(public.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(public.get_by_role("link", name="Open worksheet")).to_have_count(0)
    expect(public.get_by_role("link", name="Export PDF")).to_be_visible()
    public.screenshot(path=str(shots / "shared-dashboard-charts.png"))
    public.evaluate("window.scrollTo(0, 0)")
    public.screenshot(path=str(shots / "shared-dashboard.png"))
    assert public_problems == []
    assert problems == []

    ShareLink.objects.update(revoked_at=timezone.now())  # revoked: gone at the next request
    gone = public.goto(url)
    assert gone is not None and gone.status == 404
    stranger.close()
