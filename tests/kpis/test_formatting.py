"""How numbers read on the dashboard."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.dashboards.board import kpi_summary
from kpis.dashboards.snapshot import plan_snapshot
from kpis.formatting import amount, percent, with_unit
from tests.factories import make_kpi, make_measurement, make_plan


@pytest.mark.parametrize(
    "value,text",
    [
        (Decimal("4500.0000"), "4,500"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (Decimal("0.0500"), "0.05"),
        (Decimal("-0.001"), "0"),
        (Decimal("-12.5"), "-12.5"),
        (None, "–"),
        (3, "3"),
    ],
)
def test_amount(value: Decimal | None, text: str) -> None:
    assert amount(value) == text


def test_units_and_percent() -> None:
    assert with_unit(Decimal("5.5"), "percent") == "5.5 %"
    assert with_unit(Decimal("41.33"), "count") == "41"
    assert with_unit(Decimal("41.33"), "score") == "41.33"
    assert with_unit(Decimal("51066.67"), "currency") == "51,067"
    assert with_unit(Decimal("999.99"), "currency") == "999.99"
    assert with_unit(None, "percent") == "–"
    assert percent(Decimal("0.02534")) == "2.5 %"
    assert percent(None) == "–"


def test_kpi_summary_reads_as_a_sentence(db: None) -> None:
    plan = make_plan()  # 1 Jul - 30 Sep 2026
    kpi = make_kpi(plan=plan, name="Sign-ups", baseline="0", target="910")
    make_measurement(kpi=kpi, on=date(2026, 7, 11), value="50")
    snapshot = plan_snapshot(plan, today=date(2026, 7, 12))
    assert kpi_summary(snapshot.kpis[0], snapshot) == (
        "50 on 11 Jul, expected 100 by then; target 910 by 30 Sep 2026."
    )
    empty = make_kpi(plan=plan, name="Leads", target="10")
    snapshot = plan_snapshot(plan, today=date(2026, 7, 12))
    item = next(i for i in snapshot.kpis if i.kpi == empty)
    assert kpi_summary(item, snapshot) == ("No actuals in this period; target 10 by 30 Sep 2026.")


def test_calculator_query_from_funnel_targets() -> None:
    from kpis.dashboards.board import calculator_query
    from kpis.dashboards.funnel import build_funnel

    steps = build_funnel(
        {
            "reach": ("Visitors", Decimal(4500), None),
            "act": ("Leads", Decimal(90), None),
            "convert": ("Deals", Decimal(6), None),
        }
    )
    assert calculator_query(steps) == (
        "target_kind=customers&customers=6&lead_to_customer=6.667&visitor_to_lead=2"
    )
    # Without targets the calculator simply opens with its usual rates.
    assert calculator_query(build_funnel({})) == ""


def test_period_choices(db: None) -> None:
    from kpis.dashboards.board import period_choices

    plan = make_plan(period_start=date(2026, 7, 15), period_end=date(2026, 9, 10))
    choices = period_choices(plan_snapshot(plan, today=date(2026, 8, 20)))
    assert choices == [
        ("Whole plan", ""),
        ("Jul 2026", "start=2026-07-15&end=2026-07-31"),
        ("Aug 2026", "start=2026-08-01&end=2026-08-31"),
        ("Sep 2026", "start=2026-09-01&end=2026-09-10"),
        ("Last 4 weeks", "start=2026-07-24&end=2026-08-20"),
    ]
    before = period_choices(plan_snapshot(plan, today=date(2026, 7, 1)))
    assert before[-1][0] == "Sep 2026"  # no "last 4 weeks" before the plan starts
