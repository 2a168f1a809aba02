"""What the plan dashboard shows, prepared from a snapshot so the template only lays it out."""

from __future__ import annotations

import sys
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from html import escape
from urllib.parse import urlencode

from django.utils.safestring import SafeString

from kpis.dashboards import board_html, charts, packing
from kpis.dashboards.forms import DEFAULT_RATES
from kpis.dashboards.funnel import FunnelStep
from kpis.dashboards.progress import Rollup, Status, rollup
from kpis.dashboards.snapshot import KPIStatus, PlanSnapshot, StageSummary
from kpis.formatting import amount, kpi_value, percent
from plans.models import Stage, responsibility
from plans.worksheet.content import stored_values
from race_planner.kept import Kept

# A KPI's card: the number, its change since the period start, its status and one compact
# chart (target and pace lines; the page has the one legend). Built here, not in the template:
# a large plan shows hundreds of cards, and their variables were two thirds of the ~700 the
# template rendered at 40 KPIs, each resolved, escaped and localized on its own. Every text is
# escaped all the same (html.escape; format_html's escaping of possibly lazy strings costs as
# much as the template's).
CARD_HTML = (
    '<article class="card kpi-card kpi-{status}" id="kpi-{pk}">'
    '<header class="kpi-head"><h3 id="k{pk}">{name}{audience}</h3> '
    '<span class="badge status-{status}">{status_label}</span></header>\n'
    '<p class="kpi-figures"><strong>{latest}</strong> <span class="muted">of {target}</span></p>\n'
    '<p class="kpi-change">{change}</p>\n'
    "{responsible}"
    # The chart's accessible name is the KPI's name and its sentence; charts.js draws the chart.
    '<p class="visually-hidden" id="s{pk}">{summary}</p>'
    '<div class="chart chart-kpi" data-chart="fig-kpi-{pk}" role="img" aria-labelledby="k{pk} s{pk}">'
    "</div></article>\n"
)
# A KPI without actuals in the period: no empty chart, the way to add one instead.
EMPTY_CARD_HTML = (
    '<article class="card kpi-card kpi-empty" id="kpi-{pk}">'
    '<header class="kpi-head"><h3 id="k{pk}">{name}{audience}</h3> '
    '<span class="badge status-{status}">{status_label}</span></header>\n'
    '<p class="kpi-figures"><span class="muted">Target</span> <strong>{target}</strong></p>\n'
    '<p class="kpi-change">No actuals yet.{action}</p>\n'
    "{responsible}</article>\n"
)


@dataclass(frozen=True)
class KPICard:
    """One KPI's card, every text ready."""

    pk: int
    name: str
    stage: str
    status: Status
    latest: str
    target: str
    audience: str  # " · B2B" for a KPI of one audience, else empty
    change: str  # "+1,230 since 7 Sep"; empty without actuals
    summary: str  # the chart in one sentence, for screen readers
    responsible: str = ""  # "Owner Ann Lee, weekly check-ins"
    add_url: str | None = None  # where an editor records an actual; None for viewers
    has_chart: bool = True

    @property
    def chart_id(self) -> str:
        return f"fig-kpi-{self.pk}"

    def html(self) -> SafeString:
        texts = {
            "pk": int(self.pk),
            "name": escape(self.name),
            "status": escape(self.status.value),
            "status_label": escape(self.status.label),
            "latest": escape(self.latest),
            "target": escape(self.target),
            "audience": escape(self.audience),
            "change": escape(self.change),
            "summary": escape(self.summary),
            "responsible": self.responsible
            and f'<p class="kpi-owner muted">{escape(self.responsible)}</p>\n',
        }
        if self.has_chart:
            return SafeString(CARD_HTML.format(**texts))
        action = (
            f' <a href="{escape(self.add_url)}">Add an actual</a>'
            if self.add_url is not None
            else ""
        )
        return SafeString(EMPTY_CARD_HTML.format(**texts, action=action))


@dataclass(frozen=True)
class StagePanel:
    summary: StageSummary
    cards: list[KPICard]
    cards_html: SafeString

    @property
    def section_html(self) -> SafeString:
        """The stage with its cards, when it has any (board_html.stage_section)."""
        return board_html.stage_section(self)

    @property
    def behind(self) -> list[KPICard]:
        """The stage's KPIs off track, then at risk: what its status comes from."""
        return [c for c in self.cards if c.status == Status.OFF_TRACK] + [
            c for c in self.cards if c.status == Status.AT_RISK
        ]


@dataclass(frozen=True)
class FunnelRow:
    """A funnel stage as the page lists it: actual against target, and the conversion into it."""

    stage: str
    kpi_name: str | None
    actual: str
    target: str
    filled: int  # the bar: actual as a whole percent of target, 0..100
    conversion: str  # "3.2 % of the stage before (target 3.1 %)"; empty for the first
    not_a_volume: bool


def funnel_rows(steps: list[FunnelStep]) -> list[FunnelRow]:
    rows = []
    for index, step in enumerate(steps):
        filled = 0
        if step.actual is not None and step.target:
            filled = max(0, min(100, round(step.actual / step.target * 100)))
        conversion = ""
        if index and (step.actual_rate is not None or step.target_rate is not None):
            conversion = (
                f"{percent(step.actual_rate)} of the stage before "
                f"(target {percent(step.target_rate)})"
            )
        rows.append(
            FunnelRow(
                stage=Stage(step.stage).label,
                kpi_name=step.kpi_name,
                actual=amount(step.actual, 0),
                target=amount(step.target, 0),
                filled=filled,
                conversion=conversion,
                not_a_volume=step.not_a_volume,
            )
        )
    return rows


@dataclass(frozen=True)
class Dashboard:
    snapshot: PlanSnapshot
    stages: list[StagePanel]
    roll_up: Rollup  # progress.rollup: the one rule the portfolio and plan list use too
    funnel: list[FunnelRow]
    attention: list[tuple[str, KPICard]]  # (stage label, card): off track first, then at risk
    charts: SafeString  # every chart's data in one <script type="application/json">
    # The lists and tables the template used to loop over, as HTML (board_html.py).
    tiles_html: SafeString
    attention_html: SafeString
    funnel_html: SafeString
    budget_by_stage_html: SafeString
    budget_by_channel_html: SafeString
    calculator_query: str  # the reverse calculator, filled in from this plan's funnel targets
    periods: list[tuple[str, str]]  # (label, query) of quick period choices


def _percent_text(rate: Decimal) -> str:
    return f"{float(rate) * 100:.3f}".rstrip("0").rstrip(".")


def calculator_query(steps: list[FunnelStep]) -> str:
    """Query string for the reverse calculator: the Convert target and the planned rates.

    A planned rate the calculator cannot take (over 100 %: more leads planned than visitors;
    or missing) is replaced by the calculator's usual rate and named in `assumed`, so the
    calculator opens with a result and says which rate is not the plan's. Without a Convert
    target the query is empty.
    """
    by_stage = {step.stage: step for step in steps}
    act, convert = by_stage.get("act"), by_stage.get("convert")
    if convert is None or convert.target is None:
        return ""  # nothing to work back from: the calculator opens with its usual rates
    params = [("target_kind", "customers"), ("customers", format(convert.target.normalize(), "f"))]
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


@lru_cache(maxsize=1024)
def _day(day: date, *, year: bool = False) -> str:
    """ "7 Sep", or "7 Sep 2026": strftime takes microseconds, and every card says three days,
    on a board mostly the same few (the period's end, the first and latest check-ins)."""
    return f"{day:%-d %b %Y}" if year else f"{day:%-d %b}"


def kpi_summary(item: KPIStatus, snapshot: PlanSnapshot) -> str:
    """The chart in one sentence, for screen readers (the card's heading names the KPI)."""
    kpi, currency = item.kpi, snapshot.plan.currency
    latest = kpi_value(item.progress.latest, kpi.unit, currency)
    return _summary(item, snapshot, latest=latest, target=kpi_value(kpi.target, kpi.unit, currency))


def _summary(item: KPIStatus, snapshot: PlanSnapshot, *, latest: str, target: str) -> str:
    """`kpi_summary` with the latest actual and the target as the card writes them already."""
    kpi, result = item.kpi, item.progress
    plan = snapshot.plan
    target = f"target {target} by {_day(plan.period_end, year=True)}"
    if result.latest_date is None:
        return f"No actuals in this period; {target}."
    # `progress` judged the latest actual against the value expected on its date: the one said.
    return (
        f"{latest} on {_day(result.latest_date)}, "
        f"expected {kpi_value(result.expected, kpi.unit, plan.currency)} by then; {target}."
    )


def kpi_change(item: KPIStatus, currency: str) -> str:
    """The change from the period's first actual to its latest: "+1,230 since 7 Sep"."""
    if not item.dates:
        return ""
    (first_day, first), (_, last) = item.first, item.last
    if len(item.dates) == 1:
        return f"One actual, on {_day(first_day)}"
    unit = item.kpi.unit
    delta = last - first
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    if unit == "percent":  # a change of a percentage is in points, not percent
        text = f"{amount(abs(delta), 2)} pts"
    else:
        text = kpi_value(abs(delta), unit, currency)
    return f"{sign}{text} since {_day(first_day)}"


def _card(item: KPIStatus, snapshot: PlanSnapshot, add_url: str | None) -> KPICard:
    kpi, currency = item.kpi, snapshot.plan.currency
    latest = kpi_value(item.progress.latest, kpi.unit, currency)
    target = kpi_value(kpi.target, kpi.unit, currency)
    return KPICard(
        pk=kpi.pk,
        name=kpi.name,
        stage=Stage(kpi.stage).label,
        status=item.progress.status,
        latest=latest,
        target=target,
        audience="" if kpi.audience == "all" else f" · {kpi.audience.upper()}",
        change=kpi_change(item, currency),
        summary=_summary(item, snapshot, latest=latest, target=target),
        add_url=add_url,
        has_chart=bool(item.dates),
        # The defaults (the plan's creator, weekly) go unsaid: a large plan's page stays small.
        responsible=responsibility(kpi) if kpi.owner_id or kpi.cadence != "weekly" else "",
    )


@dataclass(frozen=True)
class BuiltCard:
    """A KPI's card, its HTML and its chart packed: what a board keeps of each KPI."""

    card: KPICard
    html: str
    chart: packing.PackedChart | None

    @property
    def size(self) -> int:
        """Bytes of its HTML, and an estimate for its chart's days and steps."""
        days = sum(len(days) for days, _ in self.chart.traces) if self.chart else 0
        return sys.getsizeof(self.html) + 64 * days


def _built_card(
    item: KPIStatus, snapshot: PlanSnapshot, add_url: str | None, kpi_charts: packing.KPICharts
) -> BuiltCard:
    card = _card(item, snapshot, add_url)
    chart = kpi_charts.packed(charts.kpi_points(item, snapshot)) if card.has_chart else None
    return BuiltCard(card, str(card.html()), chart)


@dataclass(frozen=True)
class KeptCards:
    """Cards built for a view before, by what each was built from (`plan_stamp`: the plan row
    and the page's language, all but the plan's revision)."""

    kept: Kept[BuiltCard]
    plan_stamp: Hashable

    def card(
        self,
        item: KPIStatus,
        snapshot: PlanSnapshot,
        add_url: str | None,
        kpi_charts: packing.KPICharts,
    ) -> BuiltCard:
        """The KPI's card as last built, unless the KPI, its owner's name or its actuals in the
        period changed (its status follows from those, the period and today)."""
        kpi = item.kpi
        slot = (snapshot.plan.pk, kpi.pk, add_url, snapshot.start, snapshot.end)
        made_from = (
            self.plan_stamp,
            snapshot.today,
            stored_values(kpi),
            stored_values(kpi.owner),
            tuple(item.dates),
            tuple(item.values),
        )
        built = self.kept.get(slot, made_from)
        if built is None:
            built = _built_card(item, snapshot, add_url, kpi_charts)
            self.kept.put(slot, made_from, built)
        return built


def build_dashboard(
    snapshot: PlanSnapshot, *, add_url: str | None = None, kept: KeptCards | None = None
) -> Dashboard:
    """The page's parts; `add_url` is where an editor records actuals (None for viewers);
    `kept`, cards built before for unchanged KPIs."""
    kpi_charts = packing.KPICharts(snapshot.start)
    stages = []
    for stage in snapshot.stages:
        built = [
            kept.card(item, snapshot, add_url, kpi_charts)
            if kept is not None
            else _built_card(item, snapshot, add_url, kpi_charts)
            for item in stage.kpis
        ]
        for one in built:
            if one.chart is not None:
                kpi_charts.put(one.card.chart_id, one.chart)
        cards = [one.card for one in built]
        cards_html = SafeString("".join(one.html for one in built))
        stages.append(StagePanel(summary=stage, cards=cards, cards_html=cards_html))
    figures = {
        "fig-budget-stage": charts.budget_by_stage_figure_data(snapshot),
        "fig-budget-channel": charts.budget_by_channel_figure_data(snapshot),
    }
    document = kpi_charts.document(
        figures, kpi_frame=charts.kpi_frame(snapshot.start, snapshot.end, height=150, legend=False)
    )
    every = [card for panel in stages for card in panel.cards]
    behind = [c for c in every if c.status == Status.OFF_TRACK]
    behind += [c for c in every if c.status == Status.AT_RISK]
    attention = [(card.stage, card) for card in behind]
    funnel = funnel_rows(snapshot.funnel)
    by_stage = [(s.stage.label, s.budget_planned, s.budget_spent) for s in snapshot.stages]
    return Dashboard(
        snapshot=snapshot,
        stages=stages,
        roll_up=rollup(c.status for c in every),
        attention=attention,
        funnel=funnel,
        charts=packing.as_script(document),
        tiles_html=board_html.stage_tiles(stages),
        attention_html=board_html.attention_items(attention),
        funnel_html=board_html.funnel_items(funnel),
        budget_by_stage_html=board_html.budget_rows(by_stage),
        budget_by_channel_html=board_html.budget_rows(snapshot.budget_by_channel),
        calculator_query=calculator_query(snapshot.funnel),
        periods=period_choices(snapshot),
    )
