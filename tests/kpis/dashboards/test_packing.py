"""The dashboard's chart document: compact, and unpacked into exactly the PDF's figures."""

import json
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kpis.dashboards import charts, packing
from kpis.dashboards.snapshot import plan_snapshot
from tests.factories import make_kpi, make_measurement, make_plan

TODAY = date(2026, 8, 15)


def _document(snapshot) -> dict:
    points = {f"fig-kpi-{item.kpi.pk}": charts.kpi_points(item, snapshot) for item in snapshot.kpis}
    frame = charts.kpi_frame(snapshot.start, snapshot.end)
    return packing.pack({}, kpi_frame=frame, start=snapshot.start, kpi_points=points)


def test_kpi_charts_unpack_to_the_figures_the_pdf_draws(db: None) -> None:
    plan = make_plan()  # 2026-07-01 .. 2026-09-30
    visitors = make_kpi(plan=plan, stage="reach", name="Visitors", baseline="0", target="920")
    rate = make_kpi(plan=plan, stage="act", name="Rate", unit="percent", target="2.5")
    make_kpi(plan=plan, stage="act", name="Nothing yet", target="10")
    for week, (count, share) in enumerate([("50.123456789", "1.25"), ("120", "1.3"), ("0", "2")]):
        on = date(2026, 7, 6 + 7 * week)
        make_measurement(kpi=visitors, on=on, value=count)
        make_measurement(kpi=rate, on=on, value=share)
    for start, end in [(None, None), (date(2026, 7, 10), date(2026, 8, 31))]:
        snapshot = plan_snapshot(plan, today=TODAY, start=start, end=end)
        document = json.loads(json.dumps(_document(snapshot)))  # as the browser reads it
        for item in snapshot.kpis:
            unpacked = packing.unpack_kpi(document, f"fig-kpi-{item.kpi.pk}")
            assert unpacked == charts.kpi_figure_data(item, snapshot)


def test_dates_shared_by_kpis_are_sent_once(db: None) -> None:
    plan = make_plan()
    for name in ("One", "Two", "Three"):
        kpi = make_kpi(plan=plan, name=name)
        for day in (6, 13, 20):
            make_measurement(kpi=kpi, on=date(2026, 7, day), value="5")
    document = _document(plan_snapshot(plan, today=TODAY))
    # The whole period (target and pace lines) and the three check-in days, each once.
    assert document["kpi"]["days"] == [[0, 91], [5, 12, 19]]
    assert all(chart["traces"][2][0] == 1 for chart in document["kpi"]["charts"].values())


def test_document_is_compact_and_safe_in_the_page() -> None:
    document = {"figures": {"x": {"text": "</script><b>&"}}, "kpi": {"charts": {}}}
    script = packing.as_script(document)
    assert script.startswith('<script id="dashboard-charts" type="application/json">{"figures":')
    assert ", " not in script and '": ' not in script
    assert "</script><b>" not in script and "\\u003C/script\\u003E\\u003Cb\\u003E\\u0026" in script


def test_steps_are_short_and_fall_back_when_not_exact() -> None:
    assert packing.steps([1035.5, 1112.62, 1189.75]) == (2, [103550, 7712, 7713])
    assert packing.steps([12345.0, 13012.0]) == (0, [12345, 667])
    assert packing.steps([28.22, 28.0]) == (2, [2822, -22])
    assert packing.steps([]) == (0, [])
    assert packing.steps([1.0, None]) == (None, [1.0, None])  # no whole number for a gap
    # Eleven decimals for the small value make the large one too big to be exact.
    assert packing.steps([0.000123457, 99999900000.0])[0] is None


six_digit_values = st.decimals(
    min_value=Decimal("-99999999999.9999"), max_value=Decimal("99999999999.9999"), places=4
).map(charts.num)


@given(st.lists(six_digit_values, max_size=60))
def test_values_come_back_exactly_from_their_steps(values: list[float | None]) -> None:
    decimals, steps = packing.steps(values)
    assert packing.values(decimals, json.loads(json.dumps(steps))) == values
