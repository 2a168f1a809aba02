"""A marketer runs this quarter's capability audit by keyboard alone and sees the radar."""

import re
from datetime import date

from playwright.sync_api import Page, expect

from kpis.advisor.areas import Area
from kpis.advisor.audits.questions import QUESTIONS
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Role
from tests.browser.test_dashboard import watch_console
from tests.factories import PASSWORD, make_member, make_workspace

# The score typed for each area: Reach strongest, Engage and Measurement weakest.
SCORES = {
    Area.PLAN: 3,
    Area.REACH: 5,
    Area.ACT: 4,
    Area.CONVERT: 3,
    Area.ENGAGE: 1,
    Area.GOVERNANCE: 3,
    Area.MEASUREMENT: 2,
}
MAX_TABS = 12  # from one question's radios to the next: its note, perhaps a Save button


def _focused_name(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name || ''")


def _tab_to(page: Page, name: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _focused_name(page) == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def test_audit_by_keyboard_draws_the_radar(live_server, page: Page) -> None:
    workspace = make_workspace(name="Northwind")
    make_member(workspace=workspace, role=Role.EDITOR, username="kim")
    earlier = CapabilityAudit.objects.create(workspace=workspace, quarter_start=date(2020, 1, 1))
    AuditAnswer.objects.bulk_create(
        AuditAnswer(audit=earlier, question=question.key, score=3) for question in QUESTIONS
    )
    problems = watch_console(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")

    page.get_by_role("link", name="Capability audit").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Northwind")).to_be_visible()
    page.get_by_role("button", name="Start this quarter's audit").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("audit started")).to_be_visible()

    page.locator("main").focus()
    for question in QUESTIONS:
        _tab_to(page, question.key)  # the group's first radio, none ticked yet
        page.keyboard.press("Space")  # ticks 1
        for _ in range(SCORES[question.area] - 1):
            page.keyboard.press("ArrowRight")  # the next score, ticked as it is reached
        if question.key == "engage.loyalty":
            page.keyboard.press("Tab")
            page.keyboard.type("We could not name our top customers")
    expect(
        page.get_by_role("radio", name="5").and_(page.locator("[name='reach.search']"))
    ).to_be_checked()
    page.get_by_role("button", name="Save answers").last.focus()
    page.keyboard.press("Enter")

    expect(
        page.get_by_text(f"Audit saved: {len(QUESTIONS)} of {len(QUESTIONS)} answered.")
    ).to_be_visible()
    expect(page.get_by_text("Your weakest areas: Engage and Measurement.")).to_be_visible()
    radar = page.locator('[data-chart="radar"]')
    # Plotly drew an SVG with a polar subplot holding both audits' outlines.
    expect(radar.locator("svg.main-svg .polarlayer .scatterlayer .trace")).to_have_count(2)
    label = f"for {_this_quarter()}, with Q1 2020 as a dotted outline"
    expect(radar).to_have_attribute("aria-label", re.compile(re.escape(label)))
    expect(page.get_by_role("table").get_by_role("row", name="Reach")).to_contain_text("+2.0")

    audit = CapabilityAudit.objects.exclude(pk=earlier.pk).get()
    stored = dict(audit.answers.values_list("question", "score"))
    assert stored == {question.key: SCORES[question.area] for question in QUESTIONS}
    assert (
        audit.answers.get(question="engage.loyalty").note == "We could not name our top customers"
    )
    assert problems == []


def _this_quarter() -> str:
    from django.utils import timezone

    from kpis.advisor.audits.results import quarter_label

    return quarter_label(timezone.localdate())
