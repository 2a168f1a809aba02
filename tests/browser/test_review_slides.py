"""A manager presents the quarterly review: the Export slides button starts the same job as the
PDF, the page shows its progress until the slides can be downloaded. A real worker makes them."""

import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pptx import Presentation

from tests.browser.test_review import READY_WITHIN, log_in_as_manager


def test_manager_clicks_export_slides_and_receives_the_deck(
    live_server, page: Page, export_worker, tmp_path: Path
) -> None:
    log_in_as_manager(page, live_server.url)
    page.get_by_role("link", name="GreenStyle – online boutique growth").click()
    page.get_by_role("link", name="Export PDF").click()
    page.get_by_label("Reach").check()
    page.get_by_label("Convert").check()
    page.get_by_role("button", name="Export slides (.pptx)").click()
    # htmx follows the button's formaction: the slides' job, with the options of the form.
    expect(page.get_by_text("Reach, Convert · 16:9 slides")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/plans/\d+/review/\d+/$"))
    download_link = page.get_by_role("link", name="Download slides")
    expect(download_link).to_be_visible(timeout=READY_WITHIN)
    expect(page.get_by_text("Your slides are ready")).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pptx")
    target = tmp_path / "review.pptx"
    download.value.save_as(target)
    deck = Presentation(io.BytesIO(target.read_bytes()))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[0] == "GreenStyle – online boutique growth"
    assert "Reach" in titles and "Convert" in titles and "Act" not in titles
