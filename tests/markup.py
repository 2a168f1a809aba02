"""A plan whose user text is markup that, drawn unescaped by Plotly, would link or fetch."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from plans.models import Plan, Workspace
from tests.factories import make_kpi, make_measurement, make_objective, make_plan, make_tactic
from tests.review_helpers import CountingServer

_CHARTS = re.compile(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', re.S)


@dataclass(frozen=True)
class MarkupPlan:
    plan: Plan
    kpi_names: list[str]
    channels: list[str]
    objective: str
    stage_text: str
    note: str


def styled(server: CountingServer, path: str, text: str) -> str:
    """Plotly turns this into a styled tspan: the browser fetches the URL to paint it."""
    return f'<span style="fill:url({server.origin}/{path}#x)">{text}</span>'


def link(server: CountingServer, path: str, text: str) -> str:
    return f'<a href="{server.origin}/{path}">{text}</a>'


def make_markup_plan(server: CountingServer, *, workspace: Workspace | None = None) -> MarkupPlan:
    """Markup in KPI names (chart titles, funnel labels), tactic channels (budget labels),
    an objective title, the stage texts and an actual's note."""
    plan = make_plan(workspace=workspace, name="Markup plan")
    kpi_names = [
        f"{styled(server, 'kpi', 'Revenue')} {link(server, 'kpi-link', 'x')}",
        f"{link(server, 'signups', 'Sign-ups')} <b>bold</b>",
    ]
    reach = make_kpi(plan=plan, stage="reach", name=kpi_names[0], baseline="100", target="900")
    act = make_kpi(plan=plan, stage="act", name=kpi_names[1], baseline="10", target="90")
    plan.worksheets.filter(stage="reach").update(primary_kpi=reach)
    plan.worksheets.filter(stage="act").update(primary_kpi=act)
    channels = [styled(server, "channel", "Social"), link(server, "channel-link", "Mail")]
    for channel in channels:
        make_tactic(plan=plan, stage="reach", channel=channel)
    objective = styled(server, "objective", "Objective") + link(server, "objective-link", "o")
    stage_text = styled(server, "stage", "Opportunity") + link(server, "stage-link", "s")
    note = styled(server, "note", "Note") + link(server, "note-link", "n")
    make_objective(plan=plan, stage="reach", title=objective, kpi=reach)
    plan.worksheets.filter(stage="reach").update(
        opportunity=stage_text, strategy=stage_text, actions=stage_text
    )
    make_measurement(kpi=reach, on=date(2026, 7, 20), value="300", note=note)
    make_measurement(kpi=reach, on=date(2026, 8, 3), value="420", note=note)
    make_measurement(kpi=act, on=date(2026, 8, 3), value="30", note=note)
    return MarkupPlan(
        plan=plan,
        kpi_names=kpi_names,
        channels=channels,
        objective=objective,
        stage_text=stage_text,
        note=note,
    )


def page_figures(html: str) -> dict[str, dict[str, Any]]:
    """The figures a dashboard page draws, by chart id: its one chart document, unpacked."""
    from kpis.dashboards.packing import unpack_kpi

    found = _CHARTS.findall(html)
    assert len(found) == 1, "a dashboard holds exactly one chart document"
    document = json.loads(found[0])
    kpi_charts = {
        chart_id: unpack_kpi(document, chart_id) for chart_id in document["kpi"]["charts"]
    }
    return {**document["figures"], **kpi_charts}


def strings(value: Any) -> Iterator[str]:
    """Every string inside a figure's traces and layout, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
