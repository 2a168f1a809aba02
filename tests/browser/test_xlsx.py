"""The plan leaves as an Excel workbook and its actuals come back in from it."""

from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from kpis.models import Measurement
from plans.models import Plan
from tests.browser.test_dashboard import _log_in


def test_manager_downloads_the_workbook_and_marketer_imports_it_back(
    live_server, page: Page, tmp_path: Path, greenstyle: Plan
) -> None:
    plan = greenstyle
    actuals = Measurement.objects.filter(kpi__plan=plan).count()
    problems = _log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/plans/{plan.pk}/actuals/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export Excel").click()
    assert download.value.suggested_filename == "greenstyle-online-boutique-growth.xlsx"
    workbook = tmp_path / download.value.suggested_filename
    download.value.save_as(workbook)
    assert load_workbook(workbook, read_only=True).sheetnames == [
        "Worksheet",
        "KPIs",
        "Actuals",
        "Tactics",
    ]

    page.context.clear_cookies()
    problems += _log_in(page, live_server.url, "marketer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/actuals/")
    page.get_by_role("link", name="Import CSV or Excel").click()
    page.get_by_label("CSV file of actuals (or Excel .xlsx)").set_input_files(workbook)
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_text(f"Checked {workbook.name}.")).to_be_visible()
    expect(
        page.get_by_text(f"{actuals} rows read: 0 new, 0 to update, {actuals} already there")
    ).to_be_visible()
    page.get_by_role("button", name=f"Import {actuals} rows").click()
    expect(
        page.get_by_text(f"Imported 0 new and 0 updated value(s); {actuals} were")
    ).to_be_visible()
    assert problems == []
