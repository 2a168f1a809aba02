"""The worksheet while the database is away, in real Chromium."""

from typing import Any, cast

import pytest
from django.db import connections
from playwright.sync_api import Page, expect

from plans.models import Tactic
from tests.browser.test_worksheet import log_in, member_plan
from tests.factories import make_tactic

pytestmark = pytest.mark.django_db(transaction=True)


def take_the_database_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query fails as the driver reports a refused connection, and the connection says it
    is unusable, as while the database server is down."""
    wrapper = connections["default"]
    driver = cast(Any, wrapper).Database

    def refuse(self: object, name: str | None = None) -> None:
        raise driver.OperationalError("connection refused: is the server running?")

    monkeypatch.setattr(type(wrapper), "create_cursor", refuse)
    monkeypatch.setattr(type(wrapper), "is_usable", lambda self: False)


def test_a_save_while_the_database_is_away_says_so_and_works_once_it_is_back(
    live_server, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = member_plan(name="Spring")
    tactic = make_tactic(plan=plan, title="Ads")
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    problem = page.locator("#request-problem")
    row = page.locator(f"#tactic-{tactic.pk}")
    row.locator("summary.row-menu-button").click()  # the row's actions sit in its menu
    row.locator(".row-menu-list").get_by_role("link", name="Edit").click()
    row.get_by_label("Title").fill("Short videos")

    take_the_database_away(monkeypatch)
    row.get_by_role("button", name="Save tactic").click()
    expect(problem).to_contain_text(
        "RACE Planner is temporarily unavailable, so nothing was saved. "
        "Your input is still in the form. Try again in a minute."
    )
    expect(row.get_by_label("Title")).to_have_value("Short videos")

    monkeypatch.undo()  # the database is back
    row.get_by_role("button", name="Save tactic").click()
    expect(problem).to_be_hidden()
    expect(row).to_contain_text("Short videos")
    assert Tactic.objects.get(pk=tactic.pk).title == "Short videos"
