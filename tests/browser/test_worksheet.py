"""A marketer and a manager at the worksheet, in real Chromium."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from plans.models import KPI, Objective, Plan, Role, Tactic
from tests.factories import (
    PASSWORD,
    make_kpi,
    make_member,
    make_objective,
    make_plan,
    make_tactic,
    make_workspace,
)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()


def member_plan(
    role: str = Role.EDITOR, username: str = "marketer", name: str = "GreenStyle"
) -> Plan:
    """A plan in a workspace where `username` has `role`."""
    workspace = make_workspace(name="Acme")
    make_member(workspace=workspace, role=role, username=username)
    return make_plan(workspace=workspace, name=name)


def menu_button(row: Locator) -> Locator:
    """The row's "⋯" button (the `<summary>` of a disclosure), named "Actions for <kind> <title>"."""
    return row.locator("summary.row-menu-button")


def row_action(row: Locator, role: str, name: str) -> Locator:
    """An action in the row's menu, the menu opened with a click first."""
    menu_button(row).click()
    return row.locator(".row-menu-list").get_by_role(role, name=name)  # type: ignore[arg-type]


def two_pages(browser: Browser, base: str, plan: Plan) -> tuple[BrowserContext, Page, Page]:
    """The marketer with the plan open in two tabs."""
    context = browser.new_context()
    first = context.new_page()
    log_in(first, base, "marketer")
    second = context.new_page()
    for page in (first, second):
        page.goto(f"{base}/plans/{plan.pk}/")
    return context, first, second


def test_marketer_builds_a_b2b_plan_from_the_preset(live_server, page: Page) -> None:
    workspace = make_workspace(name="Acme")
    make_member(workspace=workspace, role=Role.EDITOR, username="marketer")
    log_in(page, live_server.url, "marketer")

    page.get_by_role("link", name="New plan").click()
    page.get_by_label("Plan name").fill("FinTrack pipeline")
    page.get_by_label("Audience", exact=True).select_option("b2b")
    # htmx swaps in the B2B suggestions, all ticked
    expect(
        page.get_by_label("Grow organic visitors from target industries by 25 % this quarter")
    ).to_be_checked()
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="FinTrack pipeline")).to_be_visible()
    expect(page.get_by_text("Plan “FinTrack pipeline” created.")).to_be_visible()
    plan = Plan.objects.get(name="FinTrack pipeline")
    assert plan.audience == "b2b" and plan.kpis.filter(name="Unique visitors").exists()

    reach = page.locator("#stage-reach")
    # Add a tactic with a budget in Reach.
    reach.locator("summary", has_text="Add tactic").click()
    form = reach.locator("#add-reach-tactic")
    form.get_by_label("Title").fill("LinkedIn thought-leadership ads")
    form.get_by_label("Budget planned").fill("2500")
    form.get_by_role("button", name="Add tactic").click()
    row = reach.locator(".item-tactic", has_text="LinkedIn thought-leadership ads")
    expect(row).to_be_visible()
    expect(row).to_contain_text("2,500 EUR")

    # Edit a KPI target: "abc" is refused with a clear message, then a number is saved.
    kpi_row = reach.locator(".item-kpi", has_text="Unique visitors")
    row_action(kpi_row, "link", "Edit").click()
    editing = reach.locator(".item-row.editing")
    editing.get_by_label("Target").fill("abc")
    editing.get_by_role("button", name="Save KPI").click()
    expect(editing.get_by_text("Enter a number, such as 1500 or 12.5")).to_be_visible()
    expect(editing.get_by_label("Target")).to_have_value("abc")
    editing.get_by_label("Target").fill("12000")
    editing.get_by_role("button", name="Save KPI").click()
    expect(reach.locator(".item-kpi", has_text="Unique visitors")).to_contain_text("target 12,000")

    # Delete an objective after confirming.
    title = "Double our share of search within 12 months"
    objective = reach.locator(".item-objective", has_text=title)
    row_action(objective, "link", "Delete").click()
    expect(reach.get_by_text(f"Delete the objective “{title}”?")).to_be_visible()
    reach.get_by_role("button", name="Delete objective").click()
    expect(reach.locator(".item-objective", has_text=title)).to_have_count(0)

    # Stage notes save when the field loses focus.
    notes = reach.get_by_label("Strategy")
    notes.fill("Be where buyers research: LinkedIn and niche newsletters.")
    reach.get_by_label("Actions").focus()
    expect(reach.get_by_text("Saved at")).to_be_visible()

    page.reload()
    reach = page.locator("#stage-reach")
    expect(
        reach.locator(".item-tactic", has_text="LinkedIn thought-leadership ads")
    ).to_contain_text("2,500 EUR")
    expect(reach.locator(".item-kpi", has_text="Unique visitors")).to_contain_text("target 12,000")
    expect(reach.locator(".item-objective", has_text=title)).to_have_count(0)
    expect(reach.get_by_label("Strategy")).to_have_value(
        "Be where buyers research: LinkedIn and niche newsletters."
    )
    assert KPI.objects.get(plan=plan, name="Unique visitors").target == Decimal("12000")
    assert not Objective.objects.filter(plan=plan, title=title).exists()


def test_manager_sees_no_edit_controls_and_a_direct_post_is_refused(
    live_server, page: Page
) -> None:
    plan = member_plan(Role.VIEWER, "manager")
    tactic = make_tactic(plan=plan, title="Short styling videos")
    log_in(page, live_server.url, "manager")
    page.get_by_role("link", name="GreenStyle").click()
    expect(page.get_by_text("Short styling videos")).to_be_visible()
    for name in ("Edit", "Delete", "Add tactic", "Plan settings"):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.locator("textarea")).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/plans/{plan.pk}/tactic/{tactic.pk}/edit/",
        form={f"tactic-{tactic.pk}-title": "Hijacked", f"tactic-{tactic.pk}-version": "1"},
        headers={"X-CSRFToken": token, "Referer": live_server.url},
    )
    assert response.status == 403
    assert Tactic.objects.get(pk=tactic.pk).title == "Short styling videos"


def test_edits_in_two_browser_pages_at_once(live_server, browser: Browser) -> None:
    """Two tabs open the same tactic; the second save is refused, shows the first, keeps its input."""
    plan = member_plan()
    tactic = make_tactic(plan=plan, title="Short styling videos", budget_planned="1000")
    context, first, second = two_pages(browser, live_server.url, plan)
    for page in (first, second):
        row_action(page.locator(f"#tactic-{tactic.pk}"), "link", "Edit").click()
        expect(page.locator(f"#tactic-{tactic.pk}.editing")).to_be_visible()

    first_row = first.locator(f"#tactic-{tactic.pk}")
    first_row.get_by_label("Budget planned").fill("2000")
    first_row.get_by_role("button", name="Save tactic").click()
    expect(first.locator(f"#tactic-{tactic.pk}")).to_contain_text("2,000 EUR")

    second_row = second.locator(f"#tactic-{tactic.pk}")
    second_row.get_by_label("Budget planned").fill("3500")
    second_row.get_by_role("button", name="Save tactic").click()
    expect(second_row.get_by_text("someone else saved this")).to_be_visible()
    expect(second_row.locator(".conflict-values")).to_contain_text("2000")
    expect(second_row.get_by_label("Budget planned")).to_have_value("3500")
    assert Tactic.objects.get(pk=tactic.pk).budget_planned == Decimal("2000")

    # Having seen the other version, saving again is a deliberate choice and goes through.
    second_row.get_by_role("button", name="Save tactic").click()
    expect(second.locator(f"#tactic-{tactic.pk}")).to_contain_text("3,500 EUR")
    assert Tactic.objects.get(pk=tactic.pk).budget_planned == Decimal("3500")
    context.close()


def test_without_javascript_the_forms_still_work(live_server, browser: Browser) -> None:
    plan = member_plan()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    act = page.locator("#stage-act")
    act.locator("summary", has_text="Add KPI").click()
    act.get_by_role("link", name="Open the “Add KPI” form").click()
    page.locator("#add-act-kpi").get_by_label("Name").fill("Sign-ups")
    page.locator("#add-act-kpi").get_by_label("Target").fill("400")
    page.locator("#add-act-kpi").get_by_role("button", name="Add KPI").click()
    expect(page.get_by_text("KPI “Sign-ups” added to Act.")).to_be_visible()
    page.locator("#stage-act").get_by_label("Opportunity").fill("Visitors leave without a trace.")
    page.locator("#stage-act").get_by_role("button", name="Save Act notes").click()
    expect(page.get_by_text("Act worksheet saved.")).to_be_visible()
    assert plan.kpis.get().target == Decimal("400")
    context.close()


def test_a_save_that_cannot_land_says_why_and_keeps_the_input(live_server, page: Page) -> None:
    plan = member_plan(name="Spring")
    tactics = [make_tactic(plan=plan, title=title, position=i) for i, title in enumerate("ABC")]
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    problem = page.locator("#request-problem")
    expect(problem).to_be_hidden()

    def edit_and_save(tactic: Tactic, title: str, meanwhile: Callable[[], object]) -> Locator:
        row = page.locator(f"#tactic-{tactic.pk}")
        row_action(row, "link", "Edit").click()
        row.get_by_label("Title").fill(title)
        meanwhile()
        row.get_by_role("button", name="Save tactic").click()
        expect(row.get_by_label("Title")).to_have_value(title)  # the input is still there
        return row

    # Someone else deleted the tactic while it was open.
    edit_and_save(tactics[0], "Short videos", Tactic.objects.filter(pk=tactics[0].pk).delete)
    expect(problem).to_contain_text("This is no longer there")
    problem.get_by_role("button", name="Dismiss").click()
    expect(problem).to_be_hidden()

    # Someone archived the plan: the server's reason is shown.
    archive = Plan.objects.filter(pk=plan.pk).update
    edit_and_save(tactics[1], "Podcast ads", lambda: archive(status="archived"))
    expect(problem).to_contain_text("This plan is archived and read-only.")
    expect(problem.get_by_role("link", name="Log in (new tab)")).to_be_hidden()
    archive(status="draft")

    # The session ended in another tab.
    edit_and_save(tactics[2], "Newsletter", lambda: page.context.clear_cookies(name="sessionid"))
    expect(problem).to_contain_text("You have been logged out.")
    expect(problem.get_by_role("link", name="Log in (new tab)")).to_be_visible()
    assert sorted(Tactic.objects.values_list("title", flat=True)) == ["B", "C"]


def htmx_done(page: Page) -> None:
    """Wait until htmx has swapped and settled: a control focused before the swap would pass a
    focus check on its old copy."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_the_keyboard_keeps_its_place_through_every_swap(live_server, page: Page) -> None:
    plan = member_plan(name="Spring")
    first, second, _ = [
        make_tactic(plan=plan, stage="reach", title=title, position=i)
        for i, title in enumerate(["Ads", "Reels", "Blog"])
    ]
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    count = page.locator("#stage-reach .kind-tactic .count-inline")
    row = page.locator(f"#tactic-{second.pk}")

    menu_button(row).focus()
    page.keyboard.press("Enter")  # the row's menu opens
    page.keyboard.press("Tab")
    expect(row.get_by_role("link", name="Edit")).to_be_focused()
    page.keyboard.press("Enter")  # the edit form opens on its first field
    expect(row.get_by_label("Title")).to_be_focused()
    page.keyboard.press("Escape")  # and Escape closes it again, back on the menu's button
    expect(menu_button(row)).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(row.get_by_label("Title")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" weekly")
    row.get_by_label("Budget planned").fill("abc")
    row.get_by_role("button", name="Save tactic").focus()
    page.keyboard.press("Enter")  # refused: the focus goes to the field to fix
    expect(row.get_by_label("Budget planned")).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("900")
    page.keyboard.press("Enter")  # saved: back on the row, on its menu's button
    expect(menu_button(row)).to_be_focused()
    expect(row).to_contain_text("Reels weekly")

    page.keyboard.press("Enter")
    row.get_by_role("button", name="Move up Reels weekly").focus()
    page.keyboard.press("Enter")  # the same button, in the row's new place, its menu open
    htmx_done(page)
    expect(row.get_by_role("button", name="Move up Reels weekly")).to_be_focused()
    titles = page.locator("#stage-reach .item-tactic .item-title")
    expect(titles).to_contain_text(["Reels weekly", "Ads", "Blog"])

    row.get_by_role("link", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Delete tactic")).to_be_focused()
    page.keyboard.press("Enter")  # deleted: the next row takes the focus
    expect(menu_button(page.locator(f"#tactic-{first.pk}"))).to_be_focused()
    expect(count).to_have_text("(2)")

    page.locator("#stage-reach .kind-tactic .add-item > summary").focus()
    page.keyboard.press("Enter")  # the add form opens on its first field
    add = page.locator("#add-reach-tactic")
    expect(add.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Podcast")
    page.keyboard.press("Enter")  # added: ready for the next one
    htmx_done(page)
    expect(add.get_by_label("Title")).to_be_focused()
    expect(add.get_by_label("Title")).to_have_value("")
    expect(count).to_have_text("(3)")
    assert list(Tactic.objects.order_by("title").values_list("title", flat=True)) == [
        "Ads",
        "Blog",
        "Podcast",
    ]


def test_stage_notes_conflict_box_goes_once_a_later_save_lands(
    live_server, browser: Browser
) -> None:
    plan = member_plan()
    context, first, second = two_pages(browser, live_server.url, plan)

    def note(page: Page, label: str, text: str) -> Locator:
        stage = page.locator("#stage-engage")
        stage.get_by_label(label).fill(text)
        stage.get_by_label(label).press("Tab")  # the notes save when the field loses focus
        return stage

    expect(note(first, "Opportunity", "Reviews are rare")).to_contain_text("Saved at")
    engage = note(second, "Opportunity", "Few repeat buyers")
    expect(engage.get_by_text("Not saved: someone else saved this")).to_be_visible()
    expect(note(second, "Strategy", "Points for reviews")).to_contain_text("Saved at")
    expect(engage.get_by_text("Not saved: someone else saved this")).to_have_count(0)
    context.close()


def test_objectives_follow_their_kpi_without_a_reload(live_server, page: Page) -> None:
    plan = member_plan()
    kpi = make_kpi(plan=plan, stage="act", name="Sign-ups")
    objective = make_objective(plan=plan, stage="act", title="More sign-ups", kpi=kpi)
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    measured = page.locator(f"#objective-{objective.pk} .item-meta")
    expect(measured).to_contain_text("Measured by Sign-ups")

    row = page.locator(f"#kpi-{kpi.pk}")
    row_action(row, "link", "Edit").click()
    row.get_by_label("Name").fill("Newsletter sign-ups")
    row.get_by_role("button", name="Save KPI").click()
    expect(measured).to_contain_text("Measured by Newsletter sign-ups")

    row_action(row, "link", "Delete").click()
    row.get_by_role("button", name="Delete KPI").click()
    expect(row).to_have_count(0)
    expect(measured).to_contain_text("No KPI linked")


def test_escape_closes_an_add_form_back_on_its_button(live_server, page: Page) -> None:
    plan = member_plan(name="Spring")
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    for kind in ("objective", "tactic", "kpi"):
        add = page.locator(f"#stage-reach details.add-item:has(#add-reach-{kind})")
        summary = page.locator(f"#stage-reach .kind-{kind} .add-item > summary")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator(f"#add-reach-{kind} :focus")).to_have_count(1)  # on its first field
        page.keyboard.press("Escape")
        expect(summary).to_be_focused()
        expect(add).not_to_have_attribute("open", "")


def test_stage_bar_is_one_row_on_a_phone_and_marks_the_stage_in_view(
    live_server, page: Page
) -> None:
    plan = member_plan(name="Spring")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    nav = page.locator("#stage-nav")
    pill_height = nav.locator(".stage-pill").first.bounding_box()["height"]  # type: ignore[index]
    assert nav.bounding_box()["height"] < 2 * pill_height  # type: ignore[index]
    page.evaluate("document.getElementById('stage-act').scrollIntoView({block: 'center'})")
    expect(nav.locator('a[href="#stage-act"]')).to_have_attribute("aria-current", "true")
    expect(nav.locator("[aria-current]")).to_have_count(1)


def test_row_menu_by_keyboard_edit_move_and_delete(live_server, page: Page) -> None:
    plan = member_plan(name="Spring")
    ads, reels = (
        make_tactic(plan=plan, title=t, position=i) for i, t in enumerate(["Ads", "Reels"])
    )
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    row, titles = (
        page.locator(f"#tactic-{ads.pk}"),
        page.locator("#stage-reach .item-tactic .item-title"),
    )
    button, menu = menu_button(row), row.locator("details.row-menu")
    expect(button).to_have_accessible_name("Actions for tactic Ads")
    expect(row.get_by_role("link", name="Edit")).to_be_hidden()  # one button a row, not four
    expect(menu).not_to_have_attribute("open", "")

    page.locator("#stage-reach .kind-objective .add-item > summary").focus()
    page.keyboard.press("Tab")  # the next stop is the first tactic's menu button
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    items = row.locator(".row-menu-list .menu-item")
    for index, name in enumerate(["Edit", "Move up", "Move down", "Delete"]):
        page.keyboard.press("Tab")
        expect(items.nth(index)).to_be_focused()
        expect(items.nth(index)).to_contain_text(name)
    page.keyboard.press("Escape")  # closes the menu, back on its button
    expect(button).to_be_focused()
    expect(row.get_by_role("link", name="Edit")).to_be_hidden()

    page.keyboard.press("Space")
    row.get_by_role("button", name="Move down Ads").focus()
    page.keyboard.press("Enter")
    htmx_done(page)
    expect(titles).to_contain_text(["Reels", "Ads"])
    expect(row.get_by_role("button", name="Move down Ads")).to_be_focused()  # press again to go on
    page.keyboard.press("Escape")
    expect(button).to_be_focused()

    page.keyboard.press("Enter")
    row.get_by_role("link", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_text("Delete the tactic “Ads”?")).to_be_visible()
    expect(row.get_by_role("button", name="Delete tactic")).to_be_focused()
    page.keyboard.press("Escape")  # kept
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    row.get_by_role("link", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Delete tactic")).to_be_focused()
    page.keyboard.press("Enter")  # confirmed
    expect(row).to_have_count(0)
    expect(menu_button(page.locator(f"#tactic-{reels.pk}"))).to_be_focused()
    assert list(Tactic.objects.values_list("title", flat=True)) == ["Reels"]


def test_row_menu_by_mouse(live_server, page: Page) -> None:
    plan = member_plan(name="Spring")
    other = make_kpi(plan=plan, name="Leads", position=0)
    kpi = make_kpi(plan=plan, name="Visitors", position=1)
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    row, menu = page.locator(f"#kpi-{kpi.pk}"), page.locator(f"#kpi-{kpi.pk} .row-menu-list")

    menu_button(row).click()
    expect(menu).to_be_visible()
    menu_button(page.locator(f"#kpi-{other.pk}")).click()  # one menu open at a time (the row above)
    expect(menu).to_be_hidden()
    page.locator("h1").click()  # a click elsewhere closes it
    expect(page.locator(".row-menu-list:visible")).to_have_count(0)

    row_action(row, "link", "Edit").click()
    row.get_by_label("Target").fill("250")
    row.get_by_role("button", name="Save KPI").click()
    expect(row).to_contain_text("target 250")
    expect(row).to_contain_text("No actuals yet")

    row_action(row, "button", "Move up").click()
    expect(page.locator("#stage-reach .item-kpi .item-title")).to_contain_text(
        ["Visitors", "Leads"]
    )
    expect(row.locator("details.row-menu")).to_have_attribute("open", "")  # to move on

    row.get_by_role("link", name="Delete").click()
    expect(row.get_by_text("Delete the KPI “Visitors”?")).to_be_visible()
    row.get_by_role("button", name="Delete KPI").click()
    expect(row).to_have_count(0)
    assert list(plan.kpis.values_list("name", flat=True)) == ["Leads"]


def test_a_collapsed_stage_keeps_its_counts_and_stays_collapsed_after_a_reload(
    live_server, page: Page
) -> None:
    plan = member_plan(name="Spring")
    make_tactic(plan=plan, stage="act", title="Checkout tests")
    make_kpi(plan=plan, stage="act", name="Sign-ups")
    log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    act = page.locator("#stage-act")
    toggle = act.get_by_role("button", name="Collapse Act")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_attribute("aria-controls", "stage-act-body")

    toggle.focus()
    page.keyboard.press("Enter")
    toggle = act.get_by_role("button", name="Expand Act")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(act.locator(".item-tactic")).to_be_hidden()
    expect(act.get_by_label("Opportunity")).to_be_hidden()
    expect(act.locator(".kind-tactic h3")).to_have_text("Tactics (1)")
    expect(act.locator(".kind-kpi h3")).to_have_text("KPIs (1, 0 on track)")

    page.reload()
    expect(act.get_by_role("button", name="Expand Act")).to_have_attribute("aria-expanded", "false")
    expect(act.locator(".item-tactic")).to_be_hidden()
    expect(page.locator("#stage-reach .kind-tactic .add-item")).to_be_visible()  # others stay open

    page.locator('#stage-nav a[href="#stage-act"]').click()  # the stage bar opens it
    expect(act.locator(".item-tactic")).to_be_visible()
    expect(act.get_by_role("button", name="Collapse Act")).to_have_attribute(
        "aria-expanded", "true"
    )
    page.reload()
    expect(act.locator(".item-tactic")).to_be_visible()

    act.get_by_role("button", name="Collapse Act").focus()
    page.keyboard.press("Space")
    expect(act.locator(".item-tactic")).to_be_hidden()
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(act.locator(".item-tactic")).to_be_hidden()  # per plan, in this browser
