"""A marketer opens the 90-day plan, adds a suggested action by keyboard, finds it on the worksheet."""

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kpis.advisor.actions.library import ACTIONS
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Plan, Tactic
from tests.browser.test_dashboard import _log_in

ENGAGE_BASICS = ACTIONS["engage.after_purchase"]


@pytest.mark.django_db(transaction=True)
def test_an_action_added_by_keyboard_shows_on_the_worksheet(
    live_server, page: Page, shots: Path, greenstyle: Plan
) -> None:
    plan = greenstyle
    # This quarter's audit, which the demo also makes, answered afresh for this test.
    audit, _ = CapabilityAudit.objects.get_or_create(
        workspace=plan.workspace, quarter_start=date(2026, 10, 1)
    )
    audit.answers.all().delete()
    scores = {"engage.reviews": 1, "engage.email": 2, "act.capture": 2, "reach.search": 4}
    scores |= {"convert.checkout": 3, "plan.goals": 4, "measurement.tags": 3}
    AuditAnswer.objects.bulk_create(
        AuditAnswer(audit=audit, question=key, score=score) for key, score in scores.items()
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    problems = _log_in(page, live_server.url, "marketer")

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="90-day plan").click()
    expect(page.get_by_role("heading", name="90-day plan", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of 2 actions done")).to_be_visible()  # the demo's own actions
    expect(page.get_by_text("Engage scored 1.5 in Q4 2026’s audit")).to_be_visible()
    page.screenshot(path=str(shots / "improve-page.png"), full_page=True)

    button = page.get_by_role("button", name=f"Add to plan: {ENGAGE_BASICS.title}")
    button.focus()  # by keyboard: the button takes the focus and Enter presses it
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Added “{ENGAGE_BASICS.title}” to Engage")
    expect(page.get_by_text("1 of 3 actions done")).to_be_visible()
    expect(page.get_by_role("button", name=f"Add to plan: {ENGAGE_BASICS.title}")).to_have_count(0)
    page.screenshot(path=str(shots / "improve-added.png"), full_page=False)

    tactic = Tactic.objects.get(plan=plan, title=ENGAGE_BASICS.title)
    assert tactic.owner == "Mara Keting" and tactic.status == "planned"
    page.get_by_role("link", name=ENGAGE_BASICS.title).click()
    row = page.locator(f"#tactic-{tactic.pk}")
    expect(row).to_be_visible()
    expect(row).to_contain_text(ENGAGE_BASICS.title)
    expect(row).to_contain_text("Mara Keting")
    page.screenshot(path=str(shots / "improve-worksheet.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/plans/{plan.pk}/improve/")
    page.screenshot(path=str(shots / "improve-phone.png"), full_page=True)
    # Only the table scrolls sideways (inside its box); the page itself fits the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert problems == []
