"""The plan as an .xlsx workbook: typed cells, headers, filters, text that never runs, the door."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from kpis.actuals.xlsx_export import export_xlsx, money_format
from plans import history
from plans.models import Plan
from tests.factories import (
    fill_worksheet,
    make_kpi,
    make_measurement,
    make_objective,
    make_plan,
    make_tactic,
)


def _sheets(data: bytes) -> dict[str, Worksheet]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in workbook.worksheets}


def _records(sheet: Worksheet) -> list[dict[str, Any]]:
    """The sheet's rows as {header: cell}, the header row left out."""
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def filled(plan: Plan) -> Plan:
    plan.currency = "GBP"
    plan.save()
    visitors = make_kpi(plan=plan, name="Visitors", stage="reach", target="5000")
    rate = make_kpi(
        plan=plan, name="Conversion rate", stage="convert", unit="percent", target="2.5"
    )
    revenue = make_kpi(plan=plan, name="Revenue", stage="convert", unit="currency", target="9000")
    make_measurement(kpi=visitors, on=date(2026, 7, 6), value="4200", note="launch week")
    make_measurement(kpi=visitors, on=date(2026, 7, 13), value="4310.5")
    make_measurement(kpi=rate, on=date(2026, 7, 6), value="2.1")
    make_measurement(kpi=revenue, on=date(2026, 7, 6), value="1234.56")
    objective = make_objective(plan=plan, stage="reach", kpi=visitors, title="Grow reach")
    tactic = make_tactic(
        plan=plan,
        stage="reach",
        title="Spring ads",
        objective=objective,
        budget_planned="1500",
        budget_spent="420.50",
    )
    tactic.start_date, tactic.end_date = date(2026, 7, 1), date(2026, 7, 31)
    tactic.save()
    worksheet = plan.worksheets.get(stage="reach")
    worksheet.opportunity, worksheet.primary_kpi = "Search demand is rising", visitors
    worksheet.save()
    return plan


def test_one_sheet_each_with_bold_frozen_filtered_headers(filled: Plan) -> None:
    sheets = _sheets(export_xlsx(filled))
    assert list(sheets) == ["Worksheet", "KPIs", "Actuals", "Tactics"]
    for sheet in sheets.values():
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert (
            sheet.auto_filter.ref
            == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        )
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(8 <= width <= 62 for width in widths), (sheet.title, widths)
    actuals = sheets["Actuals"]
    assert [cell.value for cell in actuals[1]] == ["KPI", "Date", "Value", "Note"]
    assert actuals.column_dimensions["A"].width >= len("Conversion rate")


def test_cells_are_typed_by_the_kpis_unit(filled: Plan) -> None:
    sheets = _sheets(export_xlsx(filled))
    actuals = {(r["KPI"].value, r["Date"].value): r for r in _records(sheets["Actuals"])}
    whole = actuals[("Visitors", datetime(2026, 7, 6))]
    assert whole["Date"].number_format == "yyyy-mm-dd" and whole["Date"].is_date
    assert whole["Value"].value == 4200 and isinstance(whole["Value"].value, int)
    assert whole["Value"].number_format == "#,##0"
    assert whole["Note"].value == "launch week"
    decimal = actuals[("Visitors", datetime(2026, 7, 13))]["Value"]
    assert decimal.value == 4310.5 and decimal.number_format == "#,##0.0###"
    percent = actuals[("Conversion rate", datetime(2026, 7, 6))]["Value"]
    assert percent.value == pytest.approx(0.021) and percent.number_format.endswith("%")
    money = actuals[("Revenue", datetime(2026, 7, 6))]["Value"]
    assert money.value == 1234.56 and money.number_format == '"£"#,##0.00'

    kpis = {r["KPI"].value: r for r in _records(sheets["KPIs"])}
    rate = kpis["Conversion rate"]
    assert (rate["Stage"].value, rate["Unit"].value) == ("Convert", "Percent")
    assert rate["Direction"].value == "Higher is better"
    assert rate["Target"].value == pytest.approx(0.025) and "%" in rate["Target"].number_format
    assert kpis["Visitors"]["Latest date"].value == datetime(2026, 7, 13)
    assert kpis["Visitors"]["Latest actual"].value == 4310.5
    assert kpis["Visitors"]["Actuals"].value == 2

    (tactic,) = _records(sheets["Tactics"])
    assert tactic["Tactic"].value == "Spring ads" and tactic["Objective"].value == "Grow reach"
    assert tactic["Budget planned"].value == 1500 and tactic["Budget spent"].value == 420.5
    assert tactic["Budget spent"].number_format == '"£"#,##0.00'
    assert tactic["Start"].value == datetime(2026, 7, 1) and tactic["Start"].is_date
    assert tactic["End"].value == datetime(2026, 7, 31)


def test_the_worksheet_sheet_has_stage_texts_primary_kpis_and_objectives(filled: Plan) -> None:
    records = _records(_sheets(export_xlsx(filled))["Worksheet"])
    rows = [tuple(cell.value for cell in r.values())[:6] for r in records]
    assert ("Reach", "Opportunity", None, "Search demand is rising", None, None) in rows
    assert ("Reach", "Primary KPI", None, None, None, "Visitors") in rows
    assert ("Reach", "Objective", "Grow reach", None, "All", "Visitors") in rows


def test_money_formats_carry_the_plans_currency() -> None:
    assert money_format("EUR") == '"€"#,##0.00'
    assert money_format("CHF") == '"CHF "#,##0.00'
    assert money_format('X"Y') == '"XY "#,##0.00'  # nothing closes the quotes early
    assert money_format("") == "#,##0.00"


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_text_that_looks_like_a_formula_is_written_as_text(plan: Plan, text: str) -> None:
    kpi = make_kpi(plan=plan, name=f"{text}KPI")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="1", note=text)
    make_tactic(plan=plan, title=text, channel=text)
    data = export_xlsx(plan)
    sheets = _sheets(data)
    cells = [
        sheets["Actuals"]["A2"],
        sheets["Actuals"]["D2"],
        sheets["KPIs"]["C2"],
        sheets["Tactics"]["C2"],
        sheets["Tactics"]["D2"],
    ]
    for cell in cells:
        assert cell.data_type == "s" and cell.value.strip() == cell.value.strip()
        assert cell.value in (text, f"{text}KPI")  # unchanged: no quote added to the text
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(name) for name in parts)


def test_control_characters_are_marked_not_dropped(plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name="Visitors")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="1", note="bell\x07here")
    assert _sheets(export_xlsx(plan))["Actuals"]["D2"].value == "bell\ufffdhere"


def test_deleted_kpis_and_their_actuals_stay_out(plan: Plan) -> None:
    gone = make_kpi(plan=plan, name="Old KPI")
    make_measurement(kpi=gone, on=date(2026, 7, 6), value="5")
    history.delete_item(gone)
    sheets = _sheets(export_xlsx(plan))
    assert sheets["KPIs"].max_row == 1 and sheets["Actuals"].max_row == 1


def test_viewer_downloads_the_workbook(viewer_client: Client, filled: Plan) -> None:
    response = viewer_client.get(reverse("kpis-export-xlsx", args=[filled.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert response["Content-Disposition"] == 'attachment; filename="spring-push.xlsx"'
    assert _sheets(response.content)["Actuals"].max_row == 5


def test_outsider_gets_404(outsider_client: Client, plan: Plan) -> None:
    assert outsider_client.get(reverse("kpis-export-xlsx", args=[plan.pk])).status_code == 404


@pytest.mark.parametrize("per_stage", [1, 6])
def test_export_queries_do_not_grow_with_the_plan(
    viewer_client: Client, plan: Plan, per_stage: int, django_assert_num_queries
) -> None:
    fill_worksheet(plan, per_stage=per_stage)
    for kpi in plan.kpis.all():
        for week in range(3):
            make_measurement(kpi=kpi, on=date(2026, 7, 6 + 7 * week), value=str(week))
    # session, user, plan with the role; worksheets, objectives, tactics, KPIs; actuals
    with django_assert_num_queries(8):
        response = viewer_client.get(reverse("kpis-export-xlsx", args=[plan.pk]))
    assert _sheets(response.content)["Actuals"].max_row == 1 + 5 * per_stage * 3


@pytest.mark.parametrize("name", ["kpis-actuals", "kpis-dashboard", "plans-detail"])
def test_pages_offer_the_workbook_beside_the_csv(
    viewer_client: Client, plan: Plan, name: str
) -> None:
    html = viewer_client.get(reverse(name, args=[plan.pk])).content.decode()
    link = reverse("kpis-export-xlsx", args=[plan.pk])
    assert f'href="{link}"' in html and "Export Excel" in html


def test_an_empty_plan_exports_headers_only(plan: Plan) -> None:
    sheets = _sheets(export_xlsx(make_plan(workspace=plan.workspace, name="Empty")))
    assert [sheet.max_row for sheet in sheets.values()] == [1, 1, 1, 1]


def test_a_plan_without_a_name_slug_gets_its_id(viewer_client: Client, plan: Plan) -> None:
    plan.name = "–––"
    plan.save()
    response = viewer_client.get(reverse("kpis-export-xlsx", args=[plan.pk]))
    assert f'filename="plan-{plan.pk}.xlsx"' in response["Content-Disposition"]
