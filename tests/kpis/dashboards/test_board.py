"""What the plan dashboard shows: the roll-up, what needs attention, the cards and the funnel."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kpis.dashboards.board import build_dashboard, kpi_change
from kpis.dashboards.progress import Status, rollup_of_counts
from kpis.dashboards.snapshot import plan_snapshot
from plans.models import Plan
from tests.factories import make_kpi, make_measurement, make_plan

TODAY = date(2026, 8, 15)  # the plan runs 1 Jul - 30 Sep 2026


@pytest.mark.parametrize(
    "on_track,total,status",
    [
        (4, 5, Status.ON_TRACK),  # 80 %: green
        (3, 5, Status.AT_RISK),
        (5, 10, Status.AT_RISK),  # 50 %: amber
        (4, 10, Status.OFF_TRACK),
        (0, 0, Status.NO_DATA),
    ],
)
def test_roll_up_colour_rule(on_track: int, total: int, status: Status) -> None:
    assert rollup_of_counts(on_track=on_track, no_data=0, total=total).status == status


def _kpi(plan: Plan, name: str, value: str, *, stage: str = "reach", unit: str = "count") -> None:
    kpi = make_kpi(plan=plan, name=name, stage=stage, unit=unit, baseline="0", target="920")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="0")
    make_measurement(kpi=kpi, on=date(2026, 8, 10), value=value)


def test_attention_lists_off_track_then_at_risk_and_stages_name_them(db: None) -> None:
    plan = make_plan()
    _kpi(plan, "At risk one", "330", stage="reach")  # expected ~400 by 10 Aug
    _kpi(plan, "Off track one", "100", stage="act")
    _kpi(plan, "Fine one", "400", stage="reach")
    board = build_dashboard(plan_snapshot(plan, today=TODAY))
    assert [(stage, card.name) for stage, card in board.attention] == [
        ("Act", "Off track one"),
        ("Reach", "At risk one"),
    ]
    assert (board.roll_up.on_track, board.roll_up.total) == (1, 3)
    reach = next(panel for panel in board.stages if panel.summary.stage == "reach")
    assert [card.name for card in reach.behind] == ["At risk one"]


def test_cards_show_money_with_the_currency_and_the_change(db: None) -> None:
    plan = make_plan(currency="GBP")
    kpi = make_kpi(plan=plan, name="Cost per click", unit="currency", baseline="0.6", target="0.5")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="0.62")
    make_measurement(kpi=kpi, on=date(2026, 8, 10), value="0.5")
    board = build_dashboard(plan_snapshot(plan, today=TODAY))
    (card,) = [card for panel in board.stages for card in panel.cards]
    assert (card.latest, card.target, card.change) == (
        "GBP 0.50",
        "GBP 0.50",
        "−GBP 0.12 since 6 Jul",
    )
    assert "GBP 0.50 on 10 Aug" in card.summary


def test_change_of_a_percentage_is_in_points(db: None) -> None:
    plan = make_plan()
    _kpi(plan, "Rate", "2.5", unit="percent")
    item = plan_snapshot(plan, today=TODAY).kpis[0]
    assert kpi_change(item, "EUR") == "+2.5 pts since 6 Jul"


def test_empty_kpi_offers_editors_to_add_an_actual(
    editor_client: Client, viewer_client: Client, plan: Plan
) -> None:
    make_kpi(plan=plan, name="Podcast listens")
    url = reverse("kpis-dashboard", args=[plan.pk])
    check_in = reverse("kpis-check-in", args=[plan.pk])
    html = editor_client.get(url).content.decode()
    assert "No actuals yet." in html and f'<a href="{check_in}">Add an actual</a>' in html
    assert 'data-chart="fig-kpi-' not in html  # no empty chart
    html = viewer_client.get(url).content.decode()
    assert "No actuals yet." in html and "Add an actual" not in html


def test_funnel_rows_state_each_conversion_once(viewer_client: Client, plan: Plan) -> None:
    visitors = make_kpi(plan=plan, stage="reach", name="Visitors", target="1000")
    leads = make_kpi(plan=plan, stage="act", name="Leads", target="100")
    make_measurement(kpi=visitors, on=date(2026, 7, 6), value="800")
    make_measurement(kpi=leads, on=date(2026, 7, 6), value="40")
    plan.worksheets.filter(stage="reach").update(primary_kpi=visitors)
    plan.worksheets.filter(stage="act").update(primary_kpi=leads)
    html = viewer_client.get(reverse("kpis-dashboard", args=[plan.pk])).content.decode()
    assert html.count("of the stage before") == 1
    assert "↓ 5 % of the stage before (target 10 %)" in html
    assert '<strong>800</strong> <span class="muted">actual of 1,000 target</span>' in html
