"""A manager exports the quarterly review: the button starts the job, the page shows its progress
until the download link appears. A real worker process (`export_worker`) makes the PDF."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from demo.seeding import seed_demo
from tests.review_helpers import page_count, pdf_text

READY_WITHIN = 120_000  # ms; a first export on a busy 2-core machine takes 10-25 s


def log_in_as_manager(page: Page, base_url: str) -> None:
    seed_demo()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("race-demo")
    page.get_by_role("button", name="Log in").click()


def test_manager_clicks_export_pdf_and_receives_the_review(
    live_server, page: Page, export_worker, tmp_path: Path
) -> None:
    log_in_as_manager(page, live_server.url)
    page.get_by_role("link", name="GreenStyle – online boutique growth").click()
    page.get_by_role("link", name="Export PDF").click()
    expect(page.get_by_role("heading", name="Export the quarterly review")).to_be_visible()
    page.get_by_label("Reach").check()
    page.get_by_label("Paper size").select_option("Letter")
    page.get_by_role("button", name="Export PDF").click()
    # The answer comes at once: the options make way for the export's progress.
    expect(page.get_by_text("Waiting for a free worker…")).to_be_visible()
    expect(page.get_by_text("Reach · Letter")).to_be_visible()  # what is being made
    expect(page).to_have_url(re.compile(r"/plans/\d+/review/\d+/$"))  # a reload keeps it
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=READY_WITHIN)
    expect(page.get_by_text("Your PDF is ready")).to_be_visible()
    expect(page.get_by_role("status").filter(has=page.locator("progress"))).to_have_count(0)
    with page.expect_download() as download:
        download_link.click()
    target = tmp_path / "review.pdf"
    download.value.save_as(target)
    assert download.value.suggested_filename.startswith("review-greenstyle-online-boutique-growth-")
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-") and page_count(pdf) >= 5
    assert "GreenStyle – online boutique growth" in pdf_text(pdf)
    # Back on the options page, the same choices again: the stored PDF, no waiting.
    page.get_by_role("link", name="Change the options").click()
    expect(page.get_by_label("Reach")).to_be_checked()
    expect(page.get_by_label("Paper size")).to_have_value("Letter")
    page.get_by_role("button", name="Export PDF").click()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()


def test_an_invalid_period_is_explained_in_place(
    live_server, page: Page, export_worker, tmp_path: Path
) -> None:
    log_in_as_manager(page, live_server.url)
    page.get_by_role("link", name="FinTrack – pipeline and renewals").click()
    page.get_by_role("link", name="Export PDF").click()
    page.get_by_label("From").fill("2030-01-01")
    page.get_by_role("button", name="Export PDF").click()
    expect(page.get_by_text("The period must end on or after the day it starts.")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("2030-01-01")
    # Corrected and sent again: the PDF is made and the old message is gone.
    page.get_by_label("From").fill("")
    page.get_by_label("Act").check()
    page.get_by_role("button", name="Export PDF").click()
    expect(page.get_by_text("The period must end on or after the day it starts.")).to_have_count(0)
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible(timeout=READY_WITHIN)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    download.value.save_as(tmp_path / "review.pdf")
    assert "FinTrack – pipeline and renewals" in pdf_text((tmp_path / "review.pdf").read_bytes())
