"""A marketer corrects and deletes actuals in place, without leaving the page."""

from datetime import date
from itertools import pairwise

from playwright.sync_api import Page, expect

from kpis.models import Measurement
from plans.models import KPI, Role
from tests.factories import (
    PASSWORD,
    make_kpi,
    make_measurement,
    make_member,
    make_plan,
    make_workspace,
)


def test_marketer_adds_corrects_and_deletes_values_inline(
    live_server, page: Page, transactional_db
) -> None:
    workspace = make_workspace(name="Inline")
    user = make_member(workspace=workspace, role=Role.EDITOR, username="inline-editor")
    plan = make_plan(workspace=workspace, name="Inline plan")
    kpi: KPI = make_kpi(plan=plan, name="Visitors")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/plans/{plan.pk}/actuals/")
    page.evaluate("window.notReloaded = true")

    section = page.locator(f"#kpi-{kpi.pk}")
    section.get_by_label("Date").fill("2026-07-13")
    section.get_by_role("button", name="Add value").click()  # no value yet
    expect(section.get_by_text("This field is required.")).to_be_visible()
    expect(section.get_by_label("Date")).to_have_value("2026-07-13")  # the input is kept
    section.get_by_label("Value").fill("150")
    section.get_by_role("button", name="Add value").click()
    expect(section.get_by_text("Added 150 for Visitors on 13 Jul 2026.")).to_be_visible()

    section.get_by_role("link", name="Edit 6 Jul 2026").click()
    row = section.locator("tr.edit-row")
    row.get_by_label("Value").fill("125")
    row.get_by_role("button", name="Save").click()
    expect(section.get_by_text("Updated 125 for Visitors on 6 Jul 2026.")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("link", name="Delete 13 Jul 2026").click()
    expect(section.get_by_text("Deleted the value of Visitors on 13 Jul 2026.")).to_be_visible()

    assert page.evaluate("window.notReloaded") is True
    assert list(Measurement.objects.values_list("date", "value")) == [(date(2026, 7, 6), 125)]
    assert errors == []


def test_the_import_page_cards_keep_apart(live_server, page: Page, transactional_db) -> None:
    workspace = make_workspace(name="Import")
    user = make_member(workspace=workspace, role=Role.EDITOR, username="import-editor")
    plan = make_plan(workspace=workspace, name="Import plan")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/plans/{plan.pk}/actuals/import/")
    cards = page.locator("main > .card")
    assert cards.count() >= 2
    boxes = [cards.nth(n).bounding_box() for n in range(cards.count())]
    for upper, lower in pairwise(boxes):
        assert upper is not None and lower is not None
        assert lower["y"] - (upper["y"] + upper["height"]) >= 12
