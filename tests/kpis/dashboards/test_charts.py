"""Figures for the dashboard and the PDF: the right traces, small JSON."""

import json
from datetime import date

from kpis.dashboards import charts
from kpis.dashboards.snapshot import plan_snapshot
from tests.factories import make_kpi, make_measurement, make_plan, make_tactic
from tests.markup import strings

TODAY = date(2026, 8, 15)


def _snapshot(db: None):
    plan = make_plan()  # 2026-07-01 .. 2026-09-30
    kpi = make_kpi(plan=plan, stage="reach", name="Visitors", baseline="0", target="920")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="50.123456789")
    make_measurement(kpi=kpi, on=date(2026, 7, 13), value="120")
    plan.worksheets.filter(stage="reach").update(primary_kpi=kpi)
    make_tactic(plan=plan, stage="reach", channel="Email", budget_planned="100", budget_spent="40")
    return plan_snapshot(plan, today=TODAY)


def test_kpi_figure_has_actual_pace_and_target(db: None) -> None:
    snapshot = _snapshot(db)
    figure = charts.kpi_figure(snapshot.kpis[0], snapshot)
    traces = {trace.name: trace for trace in figure.data}
    assert set(traces) == {"Actual", "Expected pace", "Target"}
    assert list(traces["Actual"].y) == [50.1235, 120.0]
    assert list(traces["Expected pace"].x) == ["2026-07-01", "2026-09-30"]
    assert list(traces["Expected pace"].y) == [0.0, 920.0]
    assert list(traces["Target"].y) == [920.0, 920.0]


def test_kpi_figure_pace_follows_the_shown_period(db: None) -> None:
    snapshot = _snapshot(db)
    part = plan_snapshot(snapshot.plan, today=TODAY, start=date(2026, 7, 1), end=date(2026, 7, 11))
    figure = charts.kpi_figure(part.kpis[0], part)
    pace = next(t for t in figure.data if t.name == "Expected pace")
    assert list(pace.x) == ["2026-07-01", "2026-07-11"]
    assert list(pace.y) == [0.0, 101.099]  # 10 of 91 days from 0 to 920, six digits
    assert figure.layout.title.text is None
    assert charts.kpi_figure(part.kpis[0], part, title=True).layout.title.text == "Visitors"


def test_funnel_figure_shows_volumes_and_rates(db: None) -> None:
    snapshot = _snapshot(db)
    leads = make_kpi(plan=snapshot.plan, stage="act", name="Leads", target="46")
    make_measurement(kpi=leads, on=date(2026, 7, 13), value="3")
    snapshot.plan.worksheets.filter(stage="act").update(primary_kpi=leads)
    figure = charts.funnel_figure(plan_snapshot(snapshot.plan, today=TODAY).funnel)
    target, actual = figure.data
    assert target.name == "Target" and actual.name == "Actual"
    # Only stages with a primary KPI are drawn.
    assert list(target.y) == ["Reach<br>Visitors", "Act<br>Leads"]
    assert list(target.x) == [920.0, 46.0] and list(actual.x) == [120.0, 3.0]
    assert list(target.text) == ["", "→ 5 %"]
    assert list(actual.text) == ["", "→ 2.5 %"]
    assert figure.layout.xaxis.type == "log" and target.orientation == "h"


def test_funnel_without_primary_kpis_says_so(db: None) -> None:
    figure = charts.funnel_figure(plan_snapshot(make_plan(), today=TODAY).funnel)
    assert not figure.data
    assert "primary KPI" in figure.layout.annotations[0].text


def test_budget_figures(db: None) -> None:
    snapshot = _snapshot(db)
    stage = charts.budget_by_stage_figure(snapshot)
    assert [t.name for t in stage.data] == ["Planned", "Spent"]
    assert list(stage.data[0].x) == ["Plan", "Reach", "Act", "Convert", "Engage"]
    assert list(stage.data[1].y) == [0.0, 40.0, 0.0, 0.0, 0.0]
    channel = charts.budget_by_channel_figure(snapshot)
    assert list(channel.data[0].y) == ["Email"] and list(channel.data[0].x) == [100.0]
    empty = charts.budget_by_stage_figure(plan_snapshot(make_plan(), today=TODAY))
    assert not empty.data and empty.layout.annotations[0].text == "No budget planned yet"


def test_figure_json_is_small_and_has_no_default_template(db: None) -> None:
    snapshot = _snapshot(db)
    data = charts.figure_json(charts.kpi_figure(snapshot.kpis[0], snapshot))
    # plotly's default template alone is ~8 KB a figure.
    assert len(json.dumps(data["layout"].get("template", {}))) < 100
    assert len(json.dumps(data)) < 2000


def test_dashboard_data_and_pdf_figures_agree(db: None) -> None:
    """The plain data the dashboard embeds is exactly what the go.Figure holds."""
    snapshot = _snapshot(db)
    pairs = [
        (
            charts.kpi_figure_data(snapshot.kpis[0], snapshot),
            charts.kpi_figure(snapshot.kpis[0], snapshot),
        ),
        (charts.funnel_figure_data(snapshot.funnel), charts.funnel_figure(snapshot.funnel)),
        (charts.budget_by_stage_figure_data(snapshot), charts.budget_by_stage_figure(snapshot)),
        (charts.budget_by_channel_figure_data(snapshot), charts.budget_by_channel_figure(snapshot)),
    ]
    for data, figure in pairs:
        built = charts.figure_json(figure)
        assert json.loads(json.dumps(data["data"])) == built["data"]
        layout = {k: v for k, v in built["layout"].items() if k != "template"}
        assert json.loads(json.dumps(data["layout"])) == layout


def test_plotly_text_shows_markup_and_entities_as_typed() -> None:
    assert charts.plotly_text("Sales & <b>leads</b>") == "Sales &amp; &lt;b&gt;leads&lt;/b&gt;"
    # Typed entities stay entities on screen: "&" goes first.
    assert charts.plotly_text("a &lt; b") == "a &amp;lt; b"
    assert charts.plotly_text("Plain name") == "Plain name"


def test_user_text_reaches_every_figure_escaped(db: None) -> None:
    """KPI names (titles, funnel labels), channels and the currency: no tag Plotly would read."""
    plan = make_plan(currency="<b>")
    name = '<a href="http://127.0.0.1:9/x">Visitors</a>'
    channel = '<span style="fill:url(http://127.0.0.1:9/c#x)">Ads</span>'
    kpi = make_kpi(plan=plan, stage="reach", name=name, baseline="0", target="920")
    make_measurement(kpi=kpi, on=date(2026, 7, 13), value="120")
    plan.worksheets.filter(stage="reach").update(primary_kpi=kpi)
    make_tactic(plan=plan, stage="reach", channel=channel, budget_planned="100")
    snapshot = plan_snapshot(plan, today=TODAY)
    figures = {
        "kpi": charts.kpi_figure_data(snapshot.kpis[0], snapshot, title=True),
        "funnel": charts.funnel_figure_data(snapshot.funnel),
        "stage": charts.budget_by_stage_figure_data(snapshot),
        "channel": charts.budget_by_channel_figure_data(snapshot),
    }
    for key, figure in figures.items():
        for text in strings(figure):
            # Our own line break in the funnel labels is the only tag left.
            assert "<" not in text.replace("<br>", ""), (key, text)
    assert figures["kpi"]["layout"]["title"]["text"] == charts.plotly_text(name)
    assert figures["funnel"]["data"][0]["y"] == [f"Reach<br>{charts.plotly_text(name)}"]
    assert figures["channel"]["data"][0]["y"] == [charts.plotly_text(channel)]
    assert figures["channel"]["layout"]["xaxis"]["title"]["text"] == "&lt;b&gt;"
    assert figures["stage"]["layout"]["yaxis"]["title"]["text"] == "&lt;b&gt;"


def test_money_axis_names_the_plans_currency(db: None) -> None:
    plan = make_plan()
    plan.currency = "GBP"
    plan.save()
    make_kpi(plan=plan, stage="convert", name="Revenue", unit="currency")
    make_kpi(plan=plan, stage="act", name="Sign-up rate", unit="percent")
    snapshot = plan_snapshot(plan, today=TODAY)
    titles = {
        item.kpi.name: charts.kpi_figure(item, snapshot).layout.yaxis.title.text
        for item in snapshot.kpis
    }
    assert titles == {"Revenue": "GBP", "Sign-up rate": "%"}


def test_funnel_names_a_stage_without_volume(db: None) -> None:
    plan = make_plan()
    visitors = make_kpi(plan=plan, stage="reach", name="Visitors", target="1000")
    rate = make_kpi(plan=plan, stage="act", name="Sign-up rate", unit="percent", target="5")
    plan.worksheets.filter(stage="reach").update(primary_kpi=visitors)
    plan.worksheets.filter(stage="act").update(primary_kpi=rate)
    figure = charts.funnel_figure(plan_snapshot(plan, today=TODAY).funnel)
    labels = list(figure.data[0].y)
    assert labels[1] == "Act<br>Sign-up rate (not a volume)"
    assert all("%" not in text for trace in figure.data for text in trace.text)
