"""The quarterly review PDF: one exporter behind the web button, the URL and the command.

`export_review(plan, options)` reads the plan once, judges every KPI with the dashboard's
snapshot, draws the dashboard's figures as vector SVG, fills a template per section (cover and
contents, summary, each stage, carry-over, appendix) and lets WeasyPrint lay them out with a
fetcher that loads nothing but our static files and data: URIs. `layout` keeps laid-out
sections, so after a change only the sections that show it are laid out again.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import plotly.graph_objects as go
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from weasyprint import CSS, HTML, Document
from weasyprint import __version__ as weasyprint_version
from weasyprint.text.fonts import FontConfiguration

from kpis import formatting
from kpis.dashboards import charts
from kpis.dashboards.progress import Status
from kpis.dashboards.snapshot import KPIStatus, PlanSnapshot, plan_snapshot
from kpis.review.advisor import AdvisorReview, advisor_review
from kpis.review.charts import render_svgs
from kpis.review.errors import ChartsUnavailable, Deadline, ExportTimeout, ReviewError
from kpis.review.fetcher import BASE_URL, ReviewURLFetcher, static_path, static_url
from kpis.review.layout import Numbering, Section, lay_out, painting
from plans.models import KPI, Audience, Plan, Stage, Tactic, TacticStatus
from plans.worksheet.content import StageContent, load_stages

__all__ = [
    "PAPER_SIZES",
    "ChartsUnavailable",
    "ExportTimeout",
    "Review",
    "ReviewError",
    "ReviewOptions",
    "export_review",
]

_T = TypeVar("_T")

PAPER_SIZES = {"A4": "A4", "Letter": "letter"}
MOVERS = 5
# Chart sizes in CSS pixels: three KPI charts side by side (four when three would leave one
# alone on its row, and so perhaps on a page of its own), wide ones across the page.
KPI_WIDTH, KPI_HEIGHT = 330, 190
KPI_WIDTH_FOUR = 245
WIDE_WIDTH = 900
RADAR_WIDTH, RADAR_HEIGHT = 520, 400
UNFINISHED = (TacticStatus.PLANNED, TacticStatus.RUNNING)


@dataclass(frozen=True)
class ReviewOptions:
    start: date | None = None  # None: the plan's own period
    end: date | None = None
    stages: tuple[str, ...] = tuple(Stage.values)
    audience: str | None = None  # "b2c" / "b2b" narrows a plan for both; None keeps all
    paper: str = "A4"
    format: str = "pdf"  # or "pptx": the same review as slides (kpis/review/slides.py)


@dataclass(frozen=True)
class Review:
    pdf: bytes
    pages: int
    filename: str
    fetcher: ReviewURLFetcher
    document: Document  # the laid-out pages, for checks of where things landed
    timings: dict[str, float] = field(default_factory=dict)
    laid_out: tuple[str, ...] = ()  # the sections laid out for it; the others were kept


@dataclass(frozen=True)
class KPIRow:
    kpi: KPI
    stage: str
    baseline: str
    target: str
    latest: str
    expected: str
    latest_date: date | None
    status: Status
    chart: str = ""  # data: URI of the chart's image; none for a KPI without actuals


@dataclass(frozen=True)
class Mover:
    row: KPIRow
    first: str
    share: Decimal  # signed share of the planned change covered within the period

    @property
    def percent(self) -> str:
        return f"{self.share * 100:,.0f}"


@dataclass
class StageSection:
    content: StageContent
    status: Status
    kpis: list[KPIRow]
    budget_planned: Decimal
    budget_spent: Decimal

    @property
    def stage(self) -> Stage:
        return self.content.stage

    @property
    def charted(self) -> list[KPIRow]:
        return [row for row in self.kpis if row.chart]

    @property
    def chart_columns(self) -> int:
        return chart_columns(len(self.charted))

    @property
    def without_actuals(self) -> list[KPIRow]:
        return [row for row in self.kpis if not row.chart]

    @property
    def counts(self) -> list[tuple[Status, int]]:
        """How many KPIs have each status, worst first, leaving out statuses nobody has."""
        order = (Status.OFF_TRACK, Status.AT_RISK, Status.STALE, Status.NO_DATA, Status.ON_TRACK)
        found = [row.status for row in self.kpis]
        return [(status, found.count(status)) for status in order if status in found]


def chart_columns(charts: int) -> int:
    """Three KPI charts a row, or four when three would leave the last one alone on its row."""
    return 4 if charts > 1 and charts % 3 == 1 else 3


def format_value(value: Decimal | None, unit: str, currency: str) -> str:
    """A value as the dashboard shows it, with the currency named: 4,500 · 12.5 % · EUR 1,250."""
    return formatting.kpi_value(value, unit, currency)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _serves(item_audience: str, audience: str | None) -> bool:
    return audience is None or item_audience in ("all", audience)


def _kpi_row(item: KPIStatus, currency: str) -> KPIRow:
    kpi, prog = item.kpi, item.progress
    return KPIRow(
        kpi=kpi,
        stage=Stage(kpi.stage).label,
        baseline=format_value(kpi.baseline, kpi.unit, currency),
        target=format_value(kpi.target, kpi.unit, currency),
        latest=format_value(prog.latest, kpi.unit, currency),
        expected=format_value(prog.expected, kpi.unit, currency),
        latest_date=prog.latest_date,
        status=prog.status,
    )


def _movers(items: list[tuple[KPIStatus, KPIRow]], currency: str) -> list[Mover]:
    """The KPIs whose actuals moved furthest within the period, against their planned change."""
    movers = []
    for item, row in items:
        kpi, known = item.kpi, item.measurements
        planned = kpi.target - kpi.baseline
        if len(known) < 2 or planned == 0:
            continue
        first, last = known[0][1], known[-1][1]
        movers.append(
            Mover(
                row=row,
                first=format_value(first, kpi.unit, currency),
                share=(last - first) / planned,
            )
        )
    movers.sort(key=lambda m: abs(m.share), reverse=True)
    return movers[:MOVERS]


def _sized(figure: go.Figure, width: int) -> tuple[go.Figure, int, int]:
    return figure, width, int(figure.layout.height or KPI_HEIGHT)


def _figures(
    snapshot: PlanSnapshot, sections: list[StageSection], items: dict[int, KPIStatus]
) -> list[tuple[go.Figure, int, int]]:
    """The dashboard's own figures, in the order the document shows them."""
    figures = [
        _sized(charts.funnel_figure(snapshot.funnel), WIDE_WIDTH),
        _sized(charts.budget_by_stage_figure(snapshot), WIDE_WIDTH),
        _sized(charts.budget_by_channel_figure(snapshot), WIDE_WIDTH),
    ]
    for section in sections:
        charted = [row for row in section.kpis if items[row.kpi.pk].measurements]
        width = KPI_WIDTH_FOUR if chart_columns(len(charted)) == 4 else KPI_WIDTH
        for row in charted:
            figure = charts.kpi_figure(items[row.kpi.pk], snapshot, title=True, height=KPI_HEIGHT)
            # Charts share a row: one key above them instead of a legend in each.
            figure.update_layout(showlegend=False, margin={"b": 28})
            figures.append(_sized(figure, width))
    return figures


# Draws the review's charts: the funnel, the two budget charts, each stage's KPIs with actuals,
# then the capability radar when there is an audit, in that order, as data: URIs. The PDF's
# draws SVG; the slides' PNG at their sizes.
ChartDrawer = Callable[
    [PlanSnapshot, list[StageSection], dict[int, KPIStatus], Deadline, AdvisorReview], list[str]
]


def draw_svgs(
    snapshot: PlanSnapshot,
    sections: list[StageSection],
    items: dict[int, KPIStatus],
    deadline: Deadline,
    advisor: AdvisorReview,
) -> list[str]:
    figures = _figures(snapshot, sections, items)
    radar = advisor.radar(height=RADAR_HEIGHT)
    if radar is not None:
        figures.append((radar, RADAR_WIDTH, RADAR_HEIGHT))
    return [_data_uri(svg) for svg in render_svgs(figures, deadline=deadline)]


def _in_period(tactic: Tactic, start: date | None, end: date | None) -> bool:
    """The snapshot's rule: with a chosen period, tactics whose dates overlap it (or have none)."""
    if start is None and end is None:
        return True
    starts_in_time = tactic.start_date is None or end is None or tactic.start_date <= end
    ends_in_time = tactic.end_date is None or start is None or tactic.end_date >= start
    return starts_in_time and ends_in_time


def build_context(
    plan: Plan,
    options: ReviewOptions,
    *,
    today: date,
    deadline: Deadline,
    draw: ChartDrawer = draw_svgs,
) -> dict[str, Any]:
    audience = options.audience if plan.audience == Audience.BOTH else None
    snapshot = plan_snapshot(
        plan, today=today, start=options.start, end=options.end, audience=audience
    )
    start, end = snapshot.start, snapshot.end
    summaries = {s.stage: s for s in snapshot.stages}
    items = {i.kpi.pk: i for s in snapshot.stages for i in s.kpis}
    sections: list[StageSection] = []
    pairs: list[tuple[KPIStatus, KPIRow]] = []
    for content in load_stages(plan):
        if content.stage.value not in options.stages:
            continue
        content.objectives = [o for o in content.objectives if _serves(o.audience, audience)]
        content.tactics = [
            t
            for t in content.tactics
            if _serves(t.audience, audience) and _in_period(t, options.start, options.end)
        ]
        summary = summaries[content.stage]
        rows = [_kpi_row(i, plan.currency) for i in summary.kpis]
        pairs.extend(zip(summary.kpis, rows, strict=True))
        sections.append(
            StageSection(
                content=content,
                status=summary.status,
                kpis=rows,
                budget_planned=summary.budget_planned,
                budget_spent=summary.budget_spent,
            )
        )
    advisor = advisor_review(plan, today=today, audience=audience)
    deadline.check("reading the plan")

    images = draw(snapshot, sections, items, deadline, advisor)
    radar_chart = images.pop() if advisor.has_radar else ""
    funnel_chart, stage_budget_chart, channel_budget_chart, *kpi_charts = images
    charts = iter(kpi_charts)
    for section in sections:
        section.kpis = [
            KPIRow(**{**row.__dict__, "chart": next(charts)})
            if items[row.kpi.pk].measurements
            else row
            for row in section.kpis
        ]
    all_rows = [row for section in sections for row in section.kpis]
    tactics: list[Tactic] = [t for s in sections for t in s.content.tactics]
    unfinished = [t for t in tactics if t.status in UNFINISHED]
    for tactic in unfinished:
        tactic.budget_left = max(tactic.budget_planned - tactic.budget_spent, Decimal(0))  # type: ignore[attr-defined]

    return {
        "plan": plan,
        "stylesheet": static_url("css/review.css"),
        "paper": PAPER_SIZES.get(options.paper, "A4"),
        "start": start,
        "end": end,
        "audience_label": Audience(audience).label if audience else plan.get_audience_display(),
        "generated": today,
        "sections": sections,
        "movers": _movers(pairs, plan.currency),
        "funnel": [
            {
                "step": step,
                "stage": Stage(step.stage).label,
                "target": format_value(step.target, "count", plan.currency),
                "actual": format_value(step.actual, "count", plan.currency),
                "target_rate": formatting.percent(step.target_rate),
                "actual_rate": formatting.percent(step.actual_rate),
            }
            for step in snapshot.funnel
        ],
        "funnel_chart": funnel_chart,
        "stage_budget_chart": stage_budget_chart,
        "channel_budget_chart": channel_budget_chart,
        "budget_planned": sum((s.budget_planned for s in sections), Decimal(0)),
        "budget_spent": sum((s.budget_spent for s in sections), Decimal(0)),
        "budget_by_channel": snapshot.budget_by_channel,
        "behind": [r for r in all_rows if r.status in (Status.OFF_TRACK, Status.AT_RISK)],
        "unfinished": unfinished,
        "kpi_total": len(all_rows),
        "on_track": sum(1 for r in all_rows if r.status == Status.ON_TRACK),
        "definitions": all_rows,
        "advisor": advisor,
        # The health check judges the whole plan: a review of some stages says so.
        "stages_left_out": len(sections) < len(Stage.values),
        "radar_chart": radar_chart,
    }


def _within(deadline: Deadline, step: str, work: Callable[[], _T]) -> _T:
    """`work()` in a helper thread, given up on when the deadline passes.

    WeasyPrint cannot be interrupted: a layout past the bound finishes unseen in the
    background, and the caller gets the deadline's message at the bound, not minutes later.
    """
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as error:  # handed to the caller below
            result["error"] = error

    worker = threading.Thread(target=run, name="review-layout", daemon=True)
    worker.start()
    worker.join(max(deadline.remaining(), 0))
    if worker.is_alive():
        raise deadline.expired(step)
    if "error" in result:
        raise result["error"]
    value: _T = result["value"]
    return value


REVIEW = "kpis/review/review.html"


def _part(name: str, **extra: Any) -> dict[str, Any]:
    return {"template": f"kpis/review/review_{name}.html", **extra}


def _body_parts(context: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every section after the front, by anchor, in document order."""
    stages = [(f"stage-{s.stage.value}", _part("stage", stage=s)) for s in context["sections"]]
    return [
        ("summary", _part("summary")),
        *stages,
        ("carry-over", _part("carry_over")),
        ("advisor", _part("advisor")),
        ("definitions", _part("appendix")),
    ]


def _front_part(context: dict[str, Any], starts: dict[str, int] | None) -> dict[str, Any]:
    """The cover and the contents, given each section's first page (None: counted in place)."""
    titles = _titles(context)
    pages = starts or dict.fromkeys(titles, None)
    contents = [{"anchor": a, "title": titles[a], "page": page} for a, page in pages.items()]
    return _part("front", contents=contents)


def _documents(
    context: dict[str, Any],
) -> tuple[list[Section], Callable[[dict[str, int] | None], str], Callable[[], str]]:
    """The sections after the front, each a whole HTML document; the front given its page
    numbers; and the whole review as one document."""
    body = _body_parts(context)

    def html(*parts: dict[str, Any]) -> str:
        return render_to_string(REVIEW, {**context, "parts": parts})

    def front(starts: dict[str, int] | None) -> str:
        return html(_front_part(context, starts))

    def whole() -> str:
        return html(_front_part(context, None), *(part for _, part in body))

    return [Section(name, html(part)) for name, part in body], front, whole


def _titles(context: dict[str, Any]) -> dict[str, str]:
    stages = {f"stage-{s.stage.value}": s.stage.label for s in context["sections"]}
    return {
        "summary": "Executive summary",
        **stages,
        "carry-over": "Carry-over to next quarter",
        "advisor": "Advisor: plan health and capability",
        "definitions": "Appendix: KPI definitions",
    }


def _stylesheet_digest() -> str:
    """The stylesheet's content, part of every section's key: a deploy may change it under a
    running worker."""
    path = static_path(static_url("css/review.css"))
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path else "missing"


def export_review(
    plan: Plan,
    options: ReviewOptions | None = None,
    *,
    today: date | None = None,
    timeout: float | None = None,
) -> Review:
    """The review of `plan` as a PDF; raises ChartsUnavailable or ExportTimeout with a message."""
    options = options or ReviewOptions()
    today = today or timezone.localdate()
    deadline = Deadline(timeout if timeout is not None else settings.REVIEW_EXPORT_TIMEOUT)
    timings: dict[str, float] = {}
    mark = time.perf_counter()

    context = build_context(plan, options, today=today, deadline=deadline)
    timings["data_and_charts"] = time.perf_counter() - mark
    context["layout_version"] = f"{weasyprint_version}+{_stylesheet_digest()}"
    body, front, whole = _documents(context)
    deadline.check("writing the document")

    fetcher = ReviewURLFetcher()
    fonts = FontConfiguration()

    def render(html: str, numbering: Numbering) -> Document:
        numbers = CSS(string=numbering.stylesheet())
        return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[numbers], font_config=fonts
        )

    mark = time.perf_counter()
    document, laid_out = _within(
        deadline,
        "laying out the pages",
        lambda: lay_out(body, front, whole, render, slot=f"{plan.pk}:{options}"),
    )
    timings["layout"] = time.perf_counter() - mark
    mark = time.perf_counter()

    def write() -> bytes:
        with painting:
            return document.write_pdf()

    pdf = _within(deadline, "writing the PDF", write)
    timings["write"] = time.perf_counter() - mark
    filename = f"review-{slugify(plan.name) or plan.pk}-{today:%Y-%m-%d}.pdf"
    return Review(
        pdf=pdf,
        pages=len(document.pages),
        filename=filename,
        fetcher=fetcher,
        document=document,
        timings=timings,
        laid_out=tuple(laid_out),
    )
