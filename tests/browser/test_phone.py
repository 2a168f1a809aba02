"""On a 390 × 844 phone no table is cut off: a table wider than the screen scrolls sideways
inside its box, and a shadow on the side with more columns says so."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from playwright.sync_api import FilePayload, Page

from plans.models import Role
from tests.factories import (
    PASSWORD,
    make_kpi,
    make_measurement,
    make_member,
    make_plan,
    make_workspace,
)

# For each table: is it wider than its box, can the box scroll, how visible is the shadow on
# the side that hides columns (::after at the start), and does the page itself overflow.
MEASURE = """() => [...document.querySelectorAll('table')].filter(t => t.offsetParent).map(t => {
  const box = t.parentElement;
  const style = getComputedStyle(box);
  return {
    caption: (t.caption && t.caption.textContent) || t.className,
    overflows: t.getBoundingClientRect().width > box.clientWidth + 1,
    scrolls: ['auto', 'scroll'].includes(style.overflowX) && box.scrollWidth > box.clientWidth,
    cue: Number(getComputedStyle(box, '::after').opacity),
    pageOverflows: document.documentElement.scrollWidth > window.innerWidth,
    culprits: [...document.querySelectorAll('body *')]
      .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)
      .map(e => e.tagName + '.' + e.className).slice(0, 5),
  };
})"""


def test_wide_tables_scroll_sideways_with_a_visible_cue_on_a_phone(
    live_server, page: Page, transactional_db
) -> None:
    workspace = make_workspace(name="Phone workspace with a long name")
    user = make_member(workspace=workspace, role=Role.EDITOR, username="phone-editor")
    start = date.today() - timedelta(days=30)
    plan = make_plan(
        workspace=workspace,
        name="Phone plan",
        period_start=start,
        period_end=start + timedelta(days=91),
    )
    kpi = make_kpi(plan=plan, name="Visitors", baseline="0", target="91")
    make_measurement(kpi=kpi, on=date.today(), value="30", note="A note long enough to need room")
    kpi.target = 100
    kpi.save()  # a change with fields: the history shows a table
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    pages = {
        "plan list": "/plans/",
        "portfolio": "/dashboard/",
        "actuals": f"/plans/{plan.pk}/actuals/",
        "check-in": f"/plans/{plan.pk}/actuals/check-in/",
        "history": f"/plans/{plan.pk}/history/",
    }
    seen: dict[str, list[dict[str, Any]]] = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        for details in page.locator("details").all():
            details.evaluate("d => d.open = true")
        page.wait_for_timeout(100)  # a frame for the opened tables' scroll timelines
        seen[name] = page.evaluate(MEASURE)
    page.goto(f"{live_server.url}/plans/{plan.pk}/actuals/import/")
    page.locator("input[type=file]").set_input_files(
        files=FilePayload(
            name="actuals.csv",
            mimeType="text/csv",
            buffer=b"kpi,date,value,note\nVisitors,"
            + date.today().isoformat().encode()
            + b",31,A note that is long enough to widen the preview table a good deal\n",
        )
    )
    page.get_by_role("button", name="Check file").click()
    page.get_by_text("Import 1 row").wait_for()
    seen["import preview"] = page.evaluate(MEASURE)

    wide = 0
    for name, tables in seen.items():
        assert tables, f"no table on the {name} page"
        for table in tables:
            assert not table["pageOverflows"], (
                f"{name}: the page scrolls sideways: {table['culprits']}"
            )
            if table["overflows"]:
                wide += 1
                assert table["scrolls"], f"{name}: {table['caption']} is cut off"
                assert table["cue"] > 0.5, f"{name}: {table['caption']} scrolls without a cue"
            else:
                assert table["cue"] == 0, f"{name}: {table['caption']} fits but shows a cue"
    assert wide >= 2  # the plan list and the portfolio at least: the cue was really checked

    # Scrolled to the end, the shadow there goes: no more columns that way.
    page.goto(f"{live_server.url}/plans/")
    wrap = page.locator(".table-wrap")
    wrap.evaluate("box => box.scrollLeft = box.scrollWidth")
    page.wait_for_timeout(100)
    assert wrap.evaluate("box => Number(getComputedStyle(box, '::after').opacity)") < 0.5
    assert wrap.evaluate("box => Number(getComputedStyle(box, '::before').opacity)") > 0.5
