from playwright.sync_api import Page, expect

from demo.seeding import seed_demo


def test_marketer_logs_in_and_sees_both_demo_plans(
    live_server, page: Page, transactional_db
) -> None:
    seed_demo()
    page.goto(f"{live_server.url}/plans/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/plans/")
    page.get_by_label("Username").fill("marketer")
    page.get_by_label("Password").fill("race-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="GreenStyle – online boutique growth")).to_be_visible()
    expect(page.get_by_role("link", name="FinTrack – pipeline and renewals")).to_be_visible()
    page.get_by_role("link", name="FinTrack – pipeline and renewals").click()
    expect(page.get_by_role("heading", name="Convert", exact=True)).to_be_visible()
    expect(page.get_by_text("ROI calculator live by week 4")).to_be_visible()
