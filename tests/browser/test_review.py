from pathlib import Path

from playwright.sync_api import Page, expect

from demo.seeding import seed_demo
from tests.review_helpers import page_count, pdf_text


def log_in_as_manager(page: Page, base_url: str) -> None:
    seed_demo()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("race-demo")
    page.get_by_role("button", name="Log in").click()


def test_manager_clicks_export_pdf_and_receives_the_review(
    live_server, page: Page, transactional_db, tmp_path: Path
) -> None:
    log_in_as_manager(page, live_server.url)
    page.get_by_role("link", name="GreenStyle – online boutique growth").click()
    page.get_by_role("link", name="Export PDF").click()
    expect(page.get_by_role("heading", name="Export the quarterly review")).to_be_visible()
    page.get_by_label("Reach").check()
    page.get_by_label("Paper size").select_option("Letter")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Export PDF").click()
        # While the PDF is made the page says so.
        expect(page.get_by_text("Making your PDF…")).to_be_visible()
    target = tmp_path / "review.pdf"
    download.value.save_as(target)
    assert download.value.suggested_filename.startswith("review-greenstyle-online-boutique-growth-")
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-") and page_count(pdf) >= 5
    assert "GreenStyle – online boutique growth" in pdf_text(pdf)
    expect(page.get_by_text("Your PDF is ready")).to_be_visible()
    expect(page.get_by_text("Making your PDF…")).to_be_hidden()


def test_an_invalid_period_is_explained_in_place(live_server, page: Page, transactional_db) -> None:
    log_in_as_manager(page, live_server.url)
    page.get_by_role("link", name="FinTrack – pipeline and renewals").click()
    page.get_by_role("link", name="Export PDF").click()
    page.get_by_label("From").fill("2030-01-01")
    page.get_by_role("button", name="Export PDF").click()
    expect(page.get_by_text("The period must end on or after the day it starts.")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("2030-01-01")
    # Corrected and sent again: the PDF arrives and the old message is gone.
    page.get_by_label("From").fill("")
    with page.expect_download(timeout=60_000):
        page.get_by_role("button", name="Export PDF").click()
    expect(page.get_by_text("Your PDF is ready")).to_be_visible()
    expect(page.get_by_text("The period must end on or after the day it starts.")).to_have_count(0)
