"""The quarterly review as slides (.pptx), for presenting: the PDF's content on 16:9 slides.

`export_slides(plan, options)` reads the plan and its numbers through the PDF's own
`build_context` (the same snapshot, rows, movers and totals), so the slides never say
anything the PDF would say differently. Only the charts differ: PNGs (scale 2) drawn by the
worker's chart browser at the size each one takes on its slide, cached like the PDF's SVGs.

Slides: cover; summary (the PDF's four headline numbers and each stage's status); funnel;
budget; a slide per stage with its KPI charts (four at most, the rest on "continued" slides);
carry-over (KPIs behind plan, unfinished tactics). Every slide has a title placeholder, so
the outline and screen readers see it; sizes are in inches on a 13.33 × 7.5 in slide.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, cast

import plotly.graph_objects as go
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.text import slugify
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide
from pptx.util import Inches, Length, Pt

from kpis.dashboards import charts
from kpis.dashboards.progress import Status
from kpis.dashboards.snapshot import KPIStatus, PlanSnapshot
from kpis.review.advisor import AdvisorReview
from kpis.review.charts import render_pngs
from kpis.review.errors import Deadline
from kpis.review.export import ReviewOptions, StageSection, build_context
from plans.models import Plan

SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5  # inches: 16:9
MARGIN = 0.5
# Charts are drawn at 72 CSS px an inch of slide, so their 12 px text shows at 12 pt, the
# smallest that reads from the back of a room; scale 2 gives 144 dpi, a projector's 1080p.
PX_PER_INCH = 72
SCALE = 2
CHARTS_FIRST = 4  # KPI charts on a stage's slide, beside its numbers
CHARTS_MORE = 6  # on each "continued" slide, the full width
LINES = 6  # rows in a carry-over table; the rest are counted below it
STRATEGY_CHARS = 160

INK = RGBColor(0x1D, 0x27, 0x33)
MUTED = RGBColor(0x5B, 0x68, 0x78)
ACCENT = RGBColor(0x1F, 0x5F, 0x8B)
PANEL = RGBColor(0xF3, 0xF5, 0xF8)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
STATUS_COLOURS = {  # review.css's status colours
    Status.ON_TRACK: RGBColor(0x1A, 0x7F, 0x4B),
    Status.AT_RISK: RGBColor(0xA1, 0x5C, 0x00),
    Status.OFF_TRACK: RGBColor(0xB4, 0x23, 0x18),
    Status.NO_DATA: MUTED,
    Status.STALE: MUTED,
}
TITLE_ONLY = 5  # the default template's "Title Only" layout


class Box(NamedTuple):
    left: float
    top: float
    width: float
    height: float

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.width * PX_PER_INCH), round(self.height * PX_PER_INCH)


TITLE = Box(MARGIN, 0.35, 10.2, 0.85)
CHIP = Box(10.9, 0.5, 1.93, 0.52)
BODY_TOP, BODY_HEIGHT = 1.45, 5.15
FOOTER = Box(MARGIN, 6.95, SLIDE_WIDTH - 2 * MARGIN, 0.35)
PANEL_BOX = Box(MARGIN, BODY_TOP, 3.9, BODY_HEIGHT)
CHART_AREA = Box(4.7, BODY_TOP, SLIDE_WIDTH - MARGIN - 4.7, BODY_HEIGHT - 0.4)
WIDE_AREA = Box(MARGIN, BODY_TOP, SLIDE_WIDTH - 2 * MARGIN, BODY_HEIGHT - 0.4)
HALVES = (
    Box(MARGIN, BODY_TOP, 6.0, BODY_HEIGHT),
    Box(SLIDE_WIDTH - MARGIN - 6.0, BODY_TOP, 6.0, BODY_HEIGHT),
)
GAP = 0.2
RADAR_BOX = Box(MARGIN, BODY_TOP, 6.6, BODY_HEIGHT)


@dataclass(frozen=True)
class Slides:
    pptx: bytes
    slides: int
    filename: str
    timings: dict[str, float] = field(default_factory=dict)


def grid(area: Box, count: int, columns: int) -> list[Box]:
    """`count` equal cells filling `area`, row by row."""
    if count == 0:
        return []
    columns = min(columns, count)
    rows = -(-count // columns)
    width = (area.width - GAP * (columns - 1)) / columns
    height = (area.height - GAP * (rows - 1)) / rows
    return [
        Box(
            area.left + (i % columns) * (width + GAP),
            area.top + (i // columns) * (height + GAP),
            width,
            height,
        )
        for i in range(count)
    ]


def stage_pages(charted: int) -> list[list[Box]]:
    """Where a stage's KPI charts go: up to four beside its numbers, then six a slide."""
    first = min(charted, CHARTS_FIRST)
    pages = [grid(CHART_AREA, first, 1 if first <= 2 else 2)]
    for start in range(first, charted, CHARTS_MORE):
        pages.append(grid(WIDE_AREA, min(CHARTS_MORE, charted - start), 3))
    return pages


def _kpi_boxes(charted: int) -> list[Box]:
    return [box for page in stage_pages(charted) for box in page]


def _sized(figure: go.Figure, box: Box) -> tuple[go.Figure, int, int]:
    width, height = box.pixels
    figure.update_layout(height=height)
    return figure, width, height


def draw_pngs(
    snapshot: PlanSnapshot,
    sections: list[StageSection],
    items: dict[int, KPIStatus],
    deadline: Deadline,
    advisor: AdvisorReview,
) -> list[str]:
    """The review's charts (build_context's order) as PNG data: URIs, each at its slide size."""
    figures = [
        _sized(charts.funnel_figure(snapshot.funnel), HALVES[0]._replace(width=7.6)),
        _sized(charts.budget_by_stage_figure(snapshot), HALVES[0]),
        _sized(charts.budget_by_channel_figure(snapshot), HALVES[1]),
    ]
    for section in sections:
        charted = [row for row in section.kpis if items[row.kpi.pk].measurements]
        for row, box in zip(charted, _kpi_boxes(len(charted)), strict=True):
            figure = charts.kpi_figure(items[row.kpi.pk], snapshot, title=True)
            figure.update_layout(showlegend=False, margin={"b": 28})  # one key on the slide
            figures.append(_sized(figure, box))
    radar = advisor.radar(height=RADAR_BOX.pixels[1])
    if radar is not None:
        figures.append(_sized(radar, RADAR_BOX))
    pngs = render_pngs(figures, deadline=deadline, scale=SCALE)
    return ["data:image/png;base64," + base64.b64encode(png).decode() for png in pngs]


# --- drawing on a slide ---------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return str(floatformat(value, "0g"))  # as the PDF writes budgets


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _place(box: Box) -> tuple[Length, Length, Length, Length]:
    return Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height)


def _text(
    slide: Slide,
    box: Box,
    lines: Sequence[str | tuple[str, dict[str, Any]]],
    *,
    size: int = 18,
    colour: RGBColor = INK,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
) -> None:
    """A text box of one paragraph a line; a line may carry its own size, colour or bold."""
    frame = slide.shapes.add_textbox(*_place(box)).text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for i, line in enumerate(lines):
        text, style = (line, {}) if isinstance(line, str) else line
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(6)
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(style.get("size", size))
        run.font.bold = style.get("bold", False)
        run.font.color.rgb = style.get("colour", colour)


def _new_slide(deck: Any, title: str, *, footer: str = "") -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    heading = slide.shapes.title
    assert heading is not None  # the layout has one
    heading.left, heading.top, heading.width, heading.height = _place(TITLE)
    heading.text = title
    paragraph = heading.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    paragraph.font.size = Pt(32)
    paragraph.font.bold = True
    paragraph.font.color.rgb = INK
    heading.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    if footer:
        number = f"{len(deck.slides._sldIdLst)}"
        _text(slide, FOOTER._replace(width=FOOTER.width - 1), [footer], size=12, colour=MUTED)
        _text(
            slide,
            FOOTER._replace(left=FOOTER.left + FOOTER.width - 1, width=1),
            [number],
            size=12,
            colour=MUTED,
            align=PP_ALIGN.RIGHT,
        )
    return slide


def _chip(slide: Slide, box: Box, status: Status, *lines: str) -> None:
    """A status in its colour: white on the colour, a rounded label of one line a paragraph."""
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *_place(box))
    shape.fill.solid()
    shape.fill.fore_color.rgb = STATUS_COLOURS[status]
    shape.line.fill.background()
    frame = shape.text_frame
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    for i, line in enumerate(lines or [status.label]):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.CENTER
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(16)
        run.font.bold = i == 0
        run.font.color.rgb = WHITE


def _picture(slide: Slide, box: Box, uri: str, name: str) -> None:
    png = base64.b64decode(uri.partition(",")[2])
    picture = slide.shapes.add_picture(io.BytesIO(png), *_place(box))
    picture.name = name[:250]
    # What a screen reader says for the picture (python-pptx has no setter for descr).
    cast(Any, picture._element).nvPicPr.cNvPr.set("descr", name)


ROW_HEIGHT = 0.62  # inches: a row of 16 pt text, two lines when a name wraps


def _table(
    slide: Slide, box: Box, columns: Sequence[tuple[str, float]], rows: list[list[str]]
) -> None:
    """A table of (heading, share of the width) columns; numbers (a share < 0) to the right."""
    height = ROW_HEIGHT * (len(rows) + 1)
    frame = slide.shapes.add_table(
        len(rows) + 1, len(columns), *_place(box._replace(height=height))
    )
    table = frame.table
    for i, (_, share) in enumerate(columns):
        table.columns[i].width = Inches(box.width * abs(share))
    for row in table.rows:
        row.height = Inches(ROW_HEIGHT)
    for r, values in enumerate([[name for name, _ in columns], *rows]):
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            cell.text = text
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.font.size = Pt(16)
            paragraph.font.bold = r == 0
            if columns[c][1] < 0:
                paragraph.alignment = PP_ALIGN.RIGHT


# --- the slides -----------------------------------------------------------------------------


def _cover(deck: Any, c: dict[str, Any]) -> None:
    plan = c["plan"]
    slide = _new_slide(deck, plan.name)
    slide.shapes.title.top = Inches(2.2)  # type: ignore[union-attr]
    slide.shapes.title.height = Inches(1.2)  # type: ignore[union-attr]
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(44)  # type: ignore[union-attr]
    _text(slide, Box(MARGIN, 1.5, 8, 0.6), ["Quarterly review"], size=20, colour=ACCENT)
    lines = [
        f"{c['start']:%-d %b %Y} – {c['end']:%-d %b %Y}",
        f"{plan.workspace.name} · {c['audience_label']} · {plan.get_status_display()}",
        f"Generated {c['generated']:%-d %B %Y}",
    ]
    _text(slide, Box(MARGIN, 3.6, 12, 2), lines, size=22, colour=MUTED)


def _summary(deck: Any, c: dict[str, Any], footer: str) -> None:
    """The PDF's four headline numbers, then each stage's status."""
    currency = c["plan"].currency
    slide = _new_slide(deck, "Summary", footer=footer)
    facts = [
        (f"{c['on_track']} of {c['kpi_total']}", "KPIs on track"),
        (str(len(c["behind"])), "KPIs behind plan"),
        (
            f"{currency} {_money(c['budget_spent'])}",
            f"spent of {currency} {_money(c['budget_planned'])} planned",
        ),
        (str(len(c["unfinished"])), "tactics still open"),
    ]
    for (figure, label), box in zip(
        facts, grid(Box(MARGIN, BODY_TOP, 12.33, 2.3), 4, 4), strict=True
    ):
        tile = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *_place(box))
        tile.fill.solid()
        tile.fill.fore_color.rgb = PANEL
        tile.line.fill.background()
        _text(
            slide,
            box._replace(top=box.top + 0.3, height=box.height - 0.3),
            [(figure, {"size": 30, "bold": True, "colour": ACCENT}), label],
            align=PP_ALIGN.CENTER,
        )
    sections = c["sections"]
    _text(slide, Box(MARGIN, 4.15, 8, 0.5), ["Status by stage"], size=20, colour=MUTED)
    for section, box in zip(
        sections, grid(Box(MARGIN, 4.75, 12.33, 1.6), len(sections), 5), strict=True
    ):
        _chip(slide, box, section.status, section.stage.label, section.status.label)


def _funnel(deck: Any, c: dict[str, Any], footer: str) -> None:
    slide = _new_slide(deck, "Funnel", footer=footer)
    chart = HALVES[0]._replace(width=7.6)
    _picture(slide, chart, c["funnel_chart"], "Funnel: target and actual volume per stage")
    rates = [
        f"{f['stage']}: {f['actual_rate']} (target {f['target_rate']})"
        for f in c["funnel"]
        if f["step"].target_rate is not None or f["step"].actual_rate is not None
    ]
    panel = Box(8.4, BODY_TOP, SLIDE_WIDTH - MARGIN - 8.4, BODY_HEIGHT)
    lines: list[str | tuple[str, dict[str, Any]]] = [
        ("Conversion from the stage before", {"bold": True, "colour": MUTED}),
        *(rates[: LINES - 1] or ["No stage has a volume and one before it yet."]),
    ]
    _text(slide, panel, lines, size=20)


def _budget(deck: Any, c: dict[str, Any], footer: str) -> None:
    currency = c["plan"].currency
    slide = _new_slide(deck, f"Budget ({currency})", footer=footer)
    _picture(slide, HALVES[0], c["stage_budget_chart"], "Budget planned and spent by stage")
    _picture(slide, HALVES[1], c["channel_budget_chart"], "Budget planned and spent by channel")


def _stage(deck: Any, section: StageSection, currency: str, footer: str) -> None:
    label = section.stage.label
    pages = stage_pages(len(section.charted))
    rows = iter(section.charted)
    for number, boxes in enumerate(pages):
        slide = _new_slide(deck, label if number == 0 else f"{label} (continued)", footer=footer)
        _chip(slide, CHIP, section.status)
        if number == 0:
            _stage_panel(slide, section, currency)
        for box in boxes:
            row = next(rows)
            _picture(slide, box, row.chart, f"{row.kpi.name}: actuals against pace and target")
        if boxes:
            key = "Dotted: target · dashed: expected pace · solid with dots: actual"
            area = CHART_AREA if number == 0 else WIDE_AREA
            under = Box(area.left, area.top + area.height + 0.05, area.width, 0.35)
            _text(slide, under, [key], size=12, colour=MUTED)
        elif number == 0:
            empty = (
                "No actuals yet, so no charts: " + ", ".join(r.kpi.name for r in section.kpis)
                if section.kpis
                else "No KPIs in this stage."
            )
            _text(slide, CHART_AREA, [empty], size=18, colour=MUTED)


def _stage_panel(slide: Slide, section: StageSection, currency: str) -> None:
    """Four facts about the stage, at most six lines: KPIs, budget, tactics, strategy."""
    open_tactics = sum(1 for t in section.content.tactics if t.status in ("planned", "running"))
    counts = " · ".join(f"{n} {status.label.lower()}" for status, n in section.counts)
    strategy = section.content.worksheet.strategy
    facts = [
        ("KPIs", counts or "none"),
        (
            "Budget",
            f"{currency} {_money(section.budget_spent)} spent of {_money(section.budget_planned)}",
        ),
        ("Tactics", f"{len(section.content.tactics)}, {open_tactics} still open"),
        ("Strategy", _clip(strategy, STRATEGY_CHARS) if strategy else "Not written yet."),
    ]
    lines: list[str | tuple[str, dict[str, Any]]] = []
    for name, value in facts:
        lines += [(name, {"size": 14, "bold": True, "colour": MUTED}), (value, {"size": 18})]
    _text(slide, PANEL_BOX, lines)


def _carry_over(deck: Any, c: dict[str, Any], footer: str) -> None:
    behind, unfinished = c["behind"], c["unfinished"]
    slide = _new_slide(deck, "Carry-over: KPIs behind plan", footer=footer)
    _listing(
        slide,
        [("KPI", 0.36), ("Stage", 0.14), ("Expected", -0.18), ("Latest", -0.18), ("Status", 0.14)],
        [[r.kpi.name, r.stage, r.expected, r.latest, r.status.label] for r in behind],
        empty="Every KPI with data is on track: nothing to carry over.",
        more="KPIs behind plan",
    )
    currency = c["plan"].currency
    slide = _new_slide(deck, "Carry-over: unfinished tactics", footer=footer)
    _listing(
        slide,
        [
            ("Tactic", 0.38),
            ("Stage", 0.12),
            ("Owner", 0.18),
            ("Status", 0.12),
            (f"Budget left ({currency})", -0.20),
        ],
        [
            [
                t.title,
                t.get_stage_display(),
                t.owner or "–",
                t.get_status_display(),
                _money(t.budget_left),
            ]
            for t in unfinished
        ],
        empty="Every tactic is done or dropped.",
        more="unfinished tactics",
    )


def _listing(
    slide: Slide,
    columns: Sequence[tuple[str, float]],
    rows: list[list[str]],
    *,
    empty: str,
    more: str,
    listed_at: str = "the PDF review",
    clip: int = 60,
) -> None:
    if not rows:
        _text(slide, WIDE_AREA, [empty], size=20, colour=MUTED)
        return
    shown = rows[: LINES - 1] if len(rows) > LINES else rows
    _table(slide, WIDE_AREA, columns, [[_clip(cell, clip) for cell in row] for row in shown])
    if len(shown) < len(rows):
        left = len(rows) - len(shown)
        note = f"and {left} more {more}: {listed_at} lists every one."
        below = BODY_TOP + ROW_HEIGHT * (len(shown) + 1) + 0.15
        _text(slide, Box(MARGIN, below, 12.33, 0.4), [note], size=14, colour=MUTED)


def _advisor(deck: Any, c: dict[str, Any], footer: str) -> None:
    """Three slides: the plan's health, the capability audit, the 90-day actions."""
    advisor: AdvisorReview = c["advisor"]
    health = advisor.health
    whole = " (the whole plan)" if c["stages_left_out"] else ""
    slide = _new_slide(deck, f"Plan health{whole}: {health.score} / 100", footer=footer)
    _listing(
        slide,
        [("Severity", 0.13), ("Finding", 0.67), ("Area", 0.20)],
        [[f.severity.label, f.sentence, str(f.area.label)] for f in health.findings],
        empty="The plan passes every health check.",
        more="findings",
        listed_at="the plan's health check page",
        clip=110,
    )
    slide = _new_slide(deck, "Capability audit", footer=footer)
    if advisor.has_radar and advisor.audit is not None:
        _picture(slide, RADAR_BOX, c["radar_chart"], "Capability radar: each area's score, 1 to 5")
        panel = Box(RADAR_BOX.left + RADAR_BOX.width + 0.3, BODY_TOP, 5.4, BODY_HEIGHT)
        lines: list[str | tuple[str, dict[str, Any]]] = [
            (f"Audit of {advisor.audit.quarter_start:%b %Y}", {"bold": True, "colour": MUTED}),
            *(
                f"{row.area.label}: {row.latest if row.latest is not None else '–'}"
                + (f" ({row.change:+})" if row.change is not None else "")
                for row in advisor.areas
            ),
        ]
        if advisor.lowest:
            lowest = ", ".join(str(row.area.label) for row in advisor.lowest)
            lines.append((f"Lowest: {lowest}", {"bold": True}))
        _text(slide, panel, lines, size=18)
    else:
        _text(slide, WIDE_AREA, ["No capability audit yet."], size=20, colour=MUTED)
    slide = _new_slide(deck, "90-day improvement actions", footer=footer)
    _listing(
        slide,
        [("Action", 0.40), ("Area", 0.16), ("Owner", 0.16), ("Status", 0.14), ("Ends", 0.14)],
        [
            [
                a.title,
                a.area,
                a.owner or "–",
                "Overdue" if a.overdue else a.status,
                f"{a.end:%-d %b}" if a.end else "–",
            ]
            for a in advisor.actions
        ],
        empty="No 90-day actions added to this plan yet.",
        more="actions",
    )


def build_deck(context: dict[str, Any]) -> Any:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH), Inches(SLIDE_HEIGHT)
    plan = context["plan"]
    footer = (
        f"{plan.name} · Quarterly review {context['start']:%-d %b} – {context['end']:%-d %b %Y}"
    )
    deck.core_properties.title = f"Quarterly review · {plan.name}"
    deck.core_properties.author = plan.workspace.name
    _cover(deck, context)
    _summary(deck, context, footer)
    _funnel(deck, context, footer)
    _budget(deck, context, footer)
    for section in context["sections"]:
        _stage(deck, section, plan.currency, footer)
    _carry_over(deck, context, footer)
    _advisor(deck, context, footer)
    return deck


def export_slides(
    plan: Plan,
    options: ReviewOptions | None = None,
    *,
    today: date | None = None,
    timeout: float | None = None,
) -> Slides:
    """The review of `plan` as a .pptx; raises ChartsUnavailable or ExportTimeout with a message."""
    options = options or ReviewOptions(format="pptx")
    today = today or timezone.localdate()
    deadline = Deadline(timeout if timeout is not None else settings.REVIEW_EXPORT_TIMEOUT)
    timings: dict[str, float] = {}
    mark = time.perf_counter()
    context = build_context(plan, options, today=today, deadline=deadline, draw=draw_pngs)
    timings["data_and_charts"] = time.perf_counter() - mark
    mark = time.perf_counter()
    deck = build_deck(context)
    buffer = io.BytesIO()
    deck.save(buffer)
    timings["slides"] = time.perf_counter() - mark
    deadline.check("writing the slides")
    filename = f"review-{slugify(plan.name) or plan.pk}-{today:%Y-%m-%d}.pptx"
    return Slides(
        pptx=buffer.getvalue(), slides=len(deck.slides), filename=filename, timings=timings
    )
