"""The review as slides, read back with python-pptx: which slides, their titles, the charts on
each stage's slide, the summary's numbers against the PDF's, and nothing off the slide."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.util import Pt

from kpis.review import charts as review_charts
from kpis.review import slides
from kpis.review.advisor import advisor_review
from kpis.review.errors import Deadline
from kpis.review.export import ReviewOptions, build_context
from plans.models import Plan
from tests.factories import make_kpi, make_measurement, make_plan, make_tactic, make_workspace

TODAY = date(2026, 8, 3)
SLIDES = ReviewOptions(format="pptx")
EVERY_STAGE = ["Plan", "Reach", "Act", "Convert", "Engage"]


def read(pptx: bytes) -> Deck:
    return Presentation(io.BytesIO(pptx))


def titles(deck: Deck) -> list[str]:
    return [slide.shapes.title.text for slide in deck.slides]


def shapes(slide: Slide) -> list[Any]:
    return list(slide.shapes)


def pictures(slide: Slide) -> list[Any]:
    return [s for s in shapes(slide) if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def texts(slide: Slide) -> list[str]:
    """Every paragraph on the slide, tables' cells included, title first."""
    found = []
    for shape in shapes(slide):
        if shape.has_text_frame:
            found += [p.text for p in shape.text_frame.paragraphs if p.text]
        if shape.has_table:
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    return found


def slide_titled(deck: Deck, title: str) -> Slide:
    [slide] = [s for s in deck.slides if s.shapes.title.text == title]
    return slide


@pytest.fixture
def plan(db: None) -> Plan:
    plan = make_plan(workspace=make_workspace(name="Acme"), name="Autumn push")
    visitors = make_kpi(plan=plan, name="Visitors", stage="reach", position=0)
    reach = make_kpi(plan=plan, name="Reach rate", stage="reach", unit="percent", position=1)
    make_kpi(plan=plan, name="Leads", stage="act")  # no actuals: no chart
    for week, value in enumerate(("120", "135", "150")):
        make_measurement(kpi=visitors, on=date(2026, 7, 6 + 7 * week), value=value)
    make_measurement(kpi=reach, on=date(2026, 7, 13), value="101")  # far behind its pace
    make_tactic(plan=plan, title="Reels", stage="reach", budget_planned="800")
    make_tactic(plan=plan, title="Podcast", stage="act", budget_spent="900")
    return Plan.objects.select_related("workspace").get(pk=plan.pk)


def made_score_title(plan: Plan) -> str:
    return f"Plan health: {advisor_review(plan, today=TODAY).health.score} / 100"


def test_a_cover_summary_funnel_budget_a_slide_per_stage_and_the_carry_over(plan: Plan) -> None:
    made = slides.export_slides(plan, SLIDES, today=TODAY)
    deck = read(made.pptx)

    assert titles(deck) == [
        "Autumn push",
        "Summary",
        "Funnel",
        "Budget (EUR)",
        *EVERY_STAGE,
        "Carry-over: KPIs behind plan",
        "Carry-over: unfinished tactics",
        made_score_title(plan),
        "Capability audit",
        "90-day improvement actions",
    ]
    assert made.slides == len(deck.slides) == 14
    assert made.filename == "review-autumn-push-2026-08-03.pptx"
    cover = texts(deck.slides[0])
    assert "Quarterly review" in cover and "1 Jul 2026 – 30 Sep 2026" in cover
    reach = slide_titled(deck, "Reach")
    assert [p.name for p in pictures(reach)] == [
        "Visitors: actuals against pace and target",
        "Reach rate: actuals against pace and target",
    ]
    act = slide_titled(deck, "Act")
    assert pictures(act) == []
    assert "No actuals yet, so no charts: Leads" in texts(act)
    assert len(pictures(slide_titled(deck, "Funnel"))) == 1
    assert len(pictures(slide_titled(deck, "Budget (EUR)"))) == 2
    behind = texts(slide_titled(deck, "Carry-over: KPIs behind plan"))
    assert "Reach rate" in behind and "Visitors" not in behind
    assert {"Reels", "Podcast"} <= set(texts(slide_titled(deck, "Carry-over: unfinished tactics")))


def test_the_charts_are_sharp_pngs_of_the_size_they_show_at(plan: Plan) -> None:
    deck = read(slides.export_slides(plan, SLIDES, today=TODAY).pptx)
    for picture in pictures(slide_titled(deck, "Reach")):
        assert picture.image.content_type == "image/png"
        width_px, height_px = picture.image.size
        # Drawn at PX_PER_INCH CSS px an inch, twice over: 144 dpi on the slide.
        assert width_px / (picture.width / 914400) == pytest.approx(144, rel=0.02)
        assert height_px / (picture.height / 914400) == pytest.approx(144, rel=0.02)
        assert picture._element.nvPicPr.cNvPr.get("descr") == picture.name  # alt text


def test_every_slide_is_16_9_with_everything_on_it_and_text_that_reads(plan: Plan) -> None:
    deck = read(slides.export_slides(plan, SLIDES, today=TODAY).pptx)
    width, height = deck.slide_width, deck.slide_height
    assert width is not None and height is not None
    assert width / height == pytest.approx(16 / 9, rel=0.001)
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            where = f"slide {number}, {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= width, where
            assert shape.top + shape.height <= height, where
            if shape.has_text_frame:
                sizes = [r.font.size for p in shape.text_frame.paragraphs for r in p.runs]
                assert all(size is None or size >= Pt(12) for size in sizes), where
                lines = [p for p in shape.text_frame.paragraphs if p.text]
                assert len(lines) <= 8, where  # at most four facts, each a label and a value
            if shape.has_table:
                assert len(shape.table.rows) <= slides.LINES + 1, where


def test_the_summary_has_the_pdfs_headline_numbers(plan: Plan) -> None:
    pdf = build_context(plan, SLIDES, today=TODAY, deadline=Deadline(60))
    deck = read(slides.export_slides(plan, SLIDES, today=TODAY).pptx)
    summary = texts(slide_titled(deck, "Summary"))

    assert f"{pdf['on_track']} of {pdf['kpi_total']}" == "1 of 3"
    assert "1 of 3" in summary and "KPIs on track" in summary
    assert str(len(pdf["behind"])) in summary and "KPIs behind plan" in summary
    assert "EUR 1,150" in summary and "spent of EUR 1,800 planned" in summary
    assert str(len(pdf["unfinished"])) == "2" and "tactics still open" in summary
    statuses = [s.status.label for s in pdf["sections"]]
    assert [f"{stage}" for stage in EVERY_STAGE] == [t for t in summary if t in EVERY_STAGE]
    assert [
        t for t in summary if t in {"On track", "At risk", "Off track", "No data", "Stale"}
    ] == (statuses)


def test_a_stage_with_many_charts_goes_on_over_more_slides(db: None) -> None:
    plan = make_plan(name="Many charts")
    for n in range(11):
        kpi = make_kpi(plan=plan, name=f"Reach KPI {n}", stage="reach", position=n)
        make_measurement(kpi=kpi, on=date(2026, 7, 6), value=Decimal(110 + n))
    options = ReviewOptions(stages=("reach",), format="pptx")
    deck = read(slides.export_slides(plan, options, today=TODAY).pptx)

    stage_slides = [s for s in deck.slides if s.shapes.title.text.startswith("Reach")]
    assert [s.shapes.title.text for s in stage_slides] == [
        "Reach",
        "Reach (continued)",
        "Reach (continued)",
    ]
    assert [len(pictures(s)) for s in stage_slides] == [4, 6, 1]
    names = [p.name.partition(":")[0] for s in stage_slides for p in pictures(s)]
    assert names == [f"Reach KPI {n}" for n in range(11)]  # in the worksheet's order


def test_the_chosen_stages_only(plan: Plan) -> None:
    options = ReviewOptions(stages=("reach", "engage"), format="pptx")
    deck = read(slides.export_slides(plan, options, today=TODAY).pptx)
    assert [t for t in titles(deck) if t in EVERY_STAGE] == ["Reach", "Engage"]


def test_long_carry_over_lists_show_six_rows_and_count_the_rest(db: None) -> None:
    plan = make_plan(name="Busy")
    for n in range(9):
        make_tactic(plan=plan, title=f"Tactic {n}", position=n)
    deck = read(slides.export_slides(plan, SLIDES, today=TODAY).pptx)
    slide = slide_titled(deck, "Carry-over: unfinished tactics")
    [table] = [s for s in shapes(slide) if s.has_table]
    assert len(table.table.rows) == 1 + 5  # the header and five tactics
    assert "and 4 more unfinished tactics: the PDF review lists every one." in texts(slide)


def test_slide_charts_are_cached_as_pngs_beside_the_pdfs_svgs(plan: Plan) -> None:
    review_charts.clear_cache()
    slides.export_slides(plan, SLIDES, today=TODAY)
    drawn = review_charts.stats["drawn"]
    slides.export_slides(plan, SLIDES, today=TODAY)
    assert review_charts.stats["drawn"] == drawn  # every chart from the cache

    # The same figure as SVG and PNG are two cache entries, not one served as the other.
    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    [svg] = review_charts.render_svgs([(figure, 300, 200)], deadline=Deadline(60))
    [png] = review_charts.render_pngs([(figure, 300, 200)], deadline=Deadline(60))
    assert svg.startswith("<svg") and png.startswith(b"\x89PNG")
    assert review_charts.stats["drawn"] == drawn + 2


def test_chart_places_fill_rows_in_order() -> None:
    assert slides.stage_pages(0) == [[]]
    assert [len(page) for page in slides.stage_pages(4)] == [4]
    assert [len(page) for page in slides.stage_pages(5)] == [4, 1]
    [one] = slides.stage_pages(1)[0]
    assert one == slides.CHART_AREA  # a lone chart takes the whole area
    first, second, third, _ = slides.stage_pages(4)[0]
    assert first.top == second.top < third.top and first.left == third.left < second.left
