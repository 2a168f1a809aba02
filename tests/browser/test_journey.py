"""A new marketer's whole journey in real Chromium, with every page checked on the way: no
console error, no 4xx/5xx answer, and no serious or critical accessibility violation (axe-core).

Log in, a new plan from the B2C suggestions, a stage filled in, actuals by hand and by CSV, the
dashboard with a filter, the reverse calculator, the review PDF (made by a real worker), log out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect

from plans.models import Plan, Role
from tests.factories import PASSWORD, make_member, make_workspace

pytestmark = pytest.mark.django_db(transaction=True)

READY_WITHIN = 120_000  # ms: a first export on a busy 2-core machine
BLOCKING = ("serious", "critical")


@dataclass
class Watch:
    """What went wrong on the way, page by page."""

    page: Page
    axe: Axe = field(default_factory=Axe)
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    rules_passed: int = 0  # the fewest rules axe found satisfied on any page

    def __post_init__(self) -> None:
        self.page.on(
            "console", lambda m: self.console.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda error: self.console.append(str(error)))
        self.page.on("response", self.answered)

    def answered(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.request.method} {response.url}")

    def check(self, what: str) -> None:
        """axe-core on the page as it stands now."""
        self.page.wait_for_load_state("networkidle")
        results = self.axe.run(self.page)
        passed = len(results.response["passes"])
        self.rules_passed = min(self.rules_passed, passed) if self.checked else passed
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.violations.append(
                    f"{what}: {violation['id']} ({violation['impact']}) {targets}"
                )
        self.checked.append(what)


def test_a_new_marketer_goes_from_login_to_the_review_and_out(
    live_server, page: Page, export_worker, tmp_path
) -> None:
    make_member(workspace=make_workspace(name="Acme"), role=Role.EDITOR, username="marketer")
    base = live_server.url
    watch = Watch(page)

    page.goto(f"{base}/accounts/login/")
    watch.check("login")
    page.get_by_label("Username").fill("marketer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()
    watch.check("plan list")

    page.get_by_role("link", name="New plan").click()
    watch.check("new plan")
    page.get_by_label("Plan name").fill("Journey plan")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Journey plan")).to_be_visible()
    watch.check("worksheet")
    plan = Plan.objects.get(name="Journey plan")

    reach = page.locator("#stage-reach")
    reach.get_by_label("Strategy").fill("Short videos on Instagram, shopping ads on best sellers.")
    reach.get_by_label("Actions").focus()
    expect(reach.get_by_text("Saved at")).to_be_visible()
    reach.locator("summary", has_text="Add tactic").click()
    form = reach.locator("#add-reach-tactic")
    form.get_by_label("Title").fill("Creator partnership")
    form.get_by_label("Budget planned").fill("1500")
    form.get_by_role("button", name="Add tactic").click()
    expect(reach.locator(".item-tactic", has_text="Creator partnership")).to_be_visible()
    watch.check("worksheet, filled in")

    # Actuals by hand: the first day of the plan.
    visitors = plan.kpis.get(name="Unique visitors")
    first = plan.period_start
    page.goto(f"{base}/plans/{plan.pk}/actuals/")
    watch.check("actuals")
    section = page.locator(f"#kpi-{visitors.pk}")
    section.get_by_label("Date").fill(first.isoformat())
    section.get_by_label("Value").fill("8100")
    section.get_by_role("button", name="Add value").click()
    expect(section.get_by_role("status")).to_contain_text("Added 8,100 for Unique visitors")

    # Actuals by CSV: two more weeks.
    csv = "kpi,date,value,note\n" + "".join(
        f"Unique visitors,{first + timedelta(weeks=n)},{8100 + 300 * n},week {n}\n" for n in (1, 2)
    )
    page.goto(f"{base}/plans/{plan.pk}/actuals/import/")
    watch.check("import")
    page.get_by_label("CSV file of actuals").set_input_files(
        {"name": "actuals.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Check file").click()
    watch.check("import preview")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text(re.compile(r"Imported 2|2 values"))).to_be_visible()
    assert visitors.measurements.count() == 3

    page.goto(f"{base}/plans/{plan.pk}/dashboard/")
    watch.check("dashboard")
    page.get_by_label("From").fill((first + timedelta(weeks=1)).isoformat())
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"start="))
    watch.check("dashboard, filtered")

    page.get_by_role("link", name="Work back from these targets").click()
    expect(page.get_by_role("heading", name="Reverse funnel calculator")).to_be_visible()
    page.get_by_role("button", name="Calculate").click()
    watch.check("reverse calculator")

    page.goto(f"{base}/plans/{plan.pk}/dashboard/")
    page.get_by_role("link", name="Export PDF").click()
    watch.check("export options")
    page.get_by_role("button", name="Export PDF").click()
    download = page.get_by_role("link", name="Download PDF")
    expect(download).to_be_visible(timeout=READY_WITHIN)
    watch.check("export ready")
    with page.expect_download() as pdf:
        download.click()
    assert (pdf.value.path().read_bytes() if pdf.value.path() else b"").startswith(b"%PDF-")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out")).to_be_visible()
    watch.check("logged out")

    assert watch.console == [], watch.console
    assert watch.failed == [], watch.failed
    assert watch.violations == [], "\n".join(watch.violations)
    assert len(watch.checked) == 14 and watch.rules_passed > 20  # axe did look at the pages
