"""What the plan dashboard shows, prepared from a snapshot so the template only lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

from django.utils.safestring import SafeString

from kpis.dashboards import charts, packing
from kpis.dashboards.forms import DEFAULT_RATES
from kpis.dashboards.funnel import FunnelStep
from kpis.dashboards.progress import Status, expected_value
from kpis.dashboards.snapshot import KPIStatus, PlanSnapshot, StageSummary
from kpis.formatting import with_unit

# A KPI's card. Built here, not in the template: a large plan shows hundreds of cards, and their
# variables were two thirds of the ~700 the template rendered at 40 KPIs, each resolved, escaped
# and localized on its own. Every text is escaped all the same (html.escape; format_html's
# escaping of possibly lazy strings costs as much as the template's).
CARD_HTML = (
    '<article class="card kpi-card" aria-labelledby="k{pk}"><header class="kpi-head">'
    '<h3 id="k{pk}">{name}</h3> <span class="badge status-{status}">{status_label}</span>'
    "</header>\n"
    '<p class="kpi-figures"><strong>{latest}</strong> <span class="muted">of {target}{audience}'
    "</span></p>\n"
    '<p class="kpi-summary" id="s{pk}">{summary}</p>\n'
    # The chart's accessible name is the card's sentence; charts.js draws it and the sparkline.
    '<div class="chart chart-kpi" data-chart="fig-kpi-{pk}" role="img" aria-labelledby="s{pk}">'
    "</div></article>\n"
)


@dataclass(frozen=True)
class KPICard:
    """One KPI's card, every text ready."""

    pk: int
    name: str
    status: Status
    latest: str
    target: str
    audience: str  # " · B2B" for a KPI of one audience, else empty
    summary: str  # the chart in one sentence, for screen readers and for a quick read

    @property
    def chart_id(self) -> str:
        return f"fig-kpi-{self.pk}"

    def html(self) -> SafeString:
        return SafeString(
            CARD_HTML.format(
                pk=int(self.pk),
                name=escape(self.name),
                status=escape(self.status.value),
                status_label=escape(self.status.label),
                latest=escape(self.latest),
                target=escape(self.target),
                audience=escape(self.audience),
                summary=escape(self.summary),
            )
        )


@dataclass(frozen=True)
class StagePanel:
    summary: StageSummary
    cards: list[KPICard]
    cards_html: SafeString


@dataclass(frozen=True)
class Dashboard:
    snapshot: PlanSnapshot
    stages: list[StagePanel]
    charts: SafeString  # every chart's data in one <script type="application/json">
    calculator_query: str  # the reverse calculator, filled in from this plan's funnel targets
    periods: list[tuple[str, str]]  # (label, query) of quick period choices


def _percent_text(rate: Decimal) -> str:
    return f"{float(rate) * 100:.3f}".rstrip("0").rstrip(".")


def calculator_query(steps: list[FunnelStep]) -> str:
    """Query string for the reverse calculator: the Convert target and the planned rates.

    A planned rate the calculator cannot take (over 100 %: more leads planned than visitors;
    or missing) is replaced by the calculator's usual rate and named in `assumed`, so the
    calculator opens with a result and says which rate is not the plan's.
    """
    by_stage = {step.stage: step for step in steps}
    act, convert = by_stage.get("act"), by_stage.get("convert")
    params: list[tuple[str, str]] = [("target_kind", "customers")]
    if convert and convert.target is not None:
        params.append(("customers", format(convert.target.normalize(), "f")))
    for field, step in (("lead_to_customer", convert), ("visitor_to_lead", act)):
        rate = step.target_rate if step else None
        if rate is not None and 0 < rate <= 1:
            params.append((field, _percent_text(rate)))
        else:
            params.append((field, _percent_text(DEFAULT_RATES[field] / 100)))
            params.append(("assumed", field))
    return urlencode(params)


def period_choices(snapshot: PlanSnapshot) -> list[tuple[str, str]]:
    """Quick periods: the whole plan, its months, and the last four weeks up to today."""
    plan = snapshot.plan
    choices = [("Whole plan", "")]
    month = date(plan.period_start.year, plan.period_start.month, 1)
    while month <= plan.period_end and len(choices) < 7:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        start = max(month, plan.period_start)
        end = min(following - timedelta(days=1), plan.period_end)
        choices.append((f"{month:%b %Y}", urlencode({"start": start, "end": end})))
        month = following
    today = min(snapshot.today, plan.period_end)
    if today >= plan.period_start:
        start = max(plan.period_start, today - timedelta(days=27))
        choices.append(("Last 4 weeks", urlencode({"start": start, "end": today})))
    return choices


def kpi_summary(item: KPIStatus, snapshot: PlanSnapshot) -> str:
    kpi, result = item.kpi, item.progress
    plan = snapshot.plan
    target = f"Target {with_unit(kpi.target, kpi.unit)} by {plan.period_end:%-d %b %Y}"
    if result.latest is None or result.latest_date is None:
        return f"{kpi.name}: no actuals in this period. {target}."
    count = len(item.measurements)
    expected = expected_value(
        kpi.baseline, kpi.target, plan.period_start, plan.period_end, result.latest_date
    )
    return (
        f"{kpi.name}: {with_unit(result.latest, kpi.unit)} on {result.latest_date:%-d %b}, "
        f"expected {with_unit(expected, kpi.unit)} by then. {target}. "
        f"{result.status.label}; {count} actual{'' if count == 1 else 's'} shown."
    )


def build_dashboard(snapshot: PlanSnapshot) -> Dashboard:
    points = {}
    stages = []
    for stage in snapshot.stages:
        cards = []
        for item in stage.kpis:
            kpi = item.kpi
            card = KPICard(
                pk=kpi.pk,
                name=kpi.name,
                status=item.progress.status,
                latest=with_unit(item.progress.latest, kpi.unit),
                target=with_unit(kpi.target, kpi.unit),
                audience="" if kpi.audience == "all" else f" · {kpi.audience.upper()}",
                summary=kpi_summary(item, snapshot),
            )
            points[card.chart_id] = charts.kpi_points(item, snapshot)
            cards.append(card)
        cards_html = SafeString("".join(card.html() for card in cards))
        stages.append(StagePanel(summary=stage, cards=cards, cards_html=cards_html))
    figures = {
        "fig-funnel": charts.funnel_figure_data(snapshot.funnel),
        "fig-budget-stage": charts.budget_by_stage_figure_data(snapshot),
        "fig-budget-channel": charts.budget_by_channel_figure_data(snapshot),
    }
    document = packing.pack(
        figures,
        kpi_frame=charts.kpi_frame(snapshot.start, snapshot.end),
        start=snapshot.start,
        kpi_points=points,
    )
    return Dashboard(
        snapshot=snapshot,
        stages=stages,
        charts=packing.as_script(document),
        calculator_query=calculator_query(snapshot.funnel),
        periods=period_choices(snapshot),
    )
