"""The review PDF's content: the exporter called directly, its text read back with pypdf."""

import io
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.db import connection, transaction
from PIL import Image

from kpis.dashboards.snapshot import plan_snapshot
from kpis.review import charts as review_charts
from kpis.review import export as review
from kpis.review import layout
from kpis.review.errors import Deadline
from kpis.review.export import ReviewOptions, export_review, format_value
from plans.models import Plan
from tests.factories import (
    make_kpi,
    make_measurement,
    make_plan,
    make_tactic,
    make_workspace,
)
from tests.review_helpers import pdf_pages, pdf_reading_order, pdf_text

TODAY = date(2026, 11, 23)
STAGE_HEADINGS = ["Plan", "Reach", "Act", "Convert", "Engage"]


@pytest.fixture
def demo_plan(db: None) -> Plan:
    from tests.factories import make_demo_plan

    return make_demo_plan()


def stage_starts(pages: list[str]) -> list[str]:
    """The stage whose section begins on each page, in page order."""
    found = []
    for page in pages:
        match = re.search(
            r"^\s*(Plan|Reach|Act|Convert|Engage)\s+(On track|At risk|Off track|Stale|No data)\s*$",
            page,
            flags=re.M,
        )
        if match:
            found.append(match.group(1))
    return found


@dataclass(frozen=True)
class DemoExport:
    review: review.Review
    kpi_names: list[str]
    latest_visitors: Decimal
    planned_budget: Decimal
    behind: list[str]  # KPIs at risk or off track, as the dashboard computes them
    unfinished: list[str]  # tactics planned or running
    finished: list[str]  # tactics done or dropped


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> DemoExport:
    """The demo plan's review, made once for the module's read-only checks."""
    from tests.factories import make_demo_plan

    with django_db_blocker.unblock(), transaction.atomic():
        plan = make_demo_plan()
        latest = plan.kpis.get(name="Unique visitors").measurements.order_by("-date").first()
        assert latest is not None
        statuses = {i.kpi.name: i.progress.status for i in plan_snapshot(plan, today=TODAY).kpis}
        open_statuses = ("planned", "running")
        made = DemoExport(
            review=export_review(plan, today=TODAY),
            kpi_names=[k.name for k in plan.kpis.all()],
            latest_visitors=latest.value,
            planned_budget=sum((t.budget_planned for t in plan.tactics.all()), Decimal(0)),
            behind=[name for name, st in statuses.items() if st in ("at_risk", "off_track")],
            unfinished=[t.title for t in plan.tactics.all() if t.status in open_statuses],
            finished=[t.title for t in plan.tactics.all() if t.status not in open_statuses],
        )
        transaction.set_rollback(True)
    # This fixture may hold a connection of its own (a module fixture can run in another
    # context than the tests): close it, or PostgreSQL cannot drop the test database at the end.
    with django_db_blocker.unblock():
        connection.close()
    return made


@pytest.fixture
def demo_review(demo: DemoExport) -> review.Review:
    return demo.review


def test_demo_review_names_the_plan_stages_kpis_and_statuses(
    demo: DemoExport, demo_review: review.Review
) -> None:
    assert demo_review.pdf.startswith(b"%PDF-")
    text = pdf_text(demo_review.pdf)
    assert "GreenStyle – online boutique growth" in text
    cover = " ".join(pdf_pages(demo_review.pdf)[0].split())
    assert "Workspace Demo" in cover and "Audience B2C" in cover
    for heading in ["Contents", "Executive summary", "Carry-over to next quarter"]:
        assert heading in text
    assert "Appendix: KPI definitions" in text
    pages = pdf_pages(demo_review.pdf)
    # Every stage gets its own section whose first line is its heading and status.
    assert stage_starts(pages) == STAGE_HEADINGS
    for name in demo.kpi_names:
        assert name in text
    for status in ("On track", "Off track", "At risk"):
        assert status in text


def test_kpi_rows_show_baseline_target_latest_and_status(demo: DemoExport) -> None:
    text = pdf_text(demo.review.pdf)
    row = re.search(
        r"Unique visitors 9,000 13,500 [\d,.]+ ([\d,.]+) (On track|At risk|Off track)", text
    )
    assert row, "the KPI row of Unique visitors is missing"
    assert row.group(1) == f"{demo.latest_visitors:,.0f}"  # a count, no decimals


def test_contents_page_numbers_point_at_the_sections(demo_review: review.Review) -> None:
    pages = pdf_pages(demo_review.pdf)
    contents = dict(re.findall(r"^\s*(.+?)\s*\.{3,}\s*(\d+)\s*$", pages[1], flags=re.M))
    assert set(contents) >= {"Executive summary", *STAGE_HEADINGS, "Carry-over to next quarter"}
    for title, number in contents.items():
        lines = [line.strip() for line in pages[int(number) - 1].splitlines() if line.strip()]
        # Line 1 is the running header; line 2 is the section's own heading.
        assert lines[1].startswith(title), f"{title} is not on page {number}"


def test_running_footer_says_page_x_of_y_and_page_count_is_sane(
    demo_review: review.Review,
) -> None:
    pages = pdf_pages(demo_review.pdf)
    total = len(pages)
    assert demo_review.pages == total
    # Cover + contents + summary + a section per stage + carry-over + appendix.
    assert 10 <= total <= 24
    assert "Page" not in pages[0]  # the cover has no running header or footer
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "GreenStyle – online boutique growth" in text


def test_summary_shows_funnel_rates_and_budget_totals(demo: DemoExport) -> None:
    text = pdf_text(demo.review.pdf)
    assert f"Total {demo.planned_budget:,.0f}" in text
    assert re.search(r"Act Sign-ups 420 [\d,]+ 3\.1 % [\d.]+ %", text), "funnel row with rates"
    assert "KPIS THAT MOVED MOST" in text  # headings are set in capitals


def _section(pdf: bytes, heading: str, next_heading: str | None = None) -> str:
    """A part's text in reading order, after the contents page."""
    text = pdf_reading_order(pdf)
    start = text.index(heading, text.index(heading) + 1)  # the first one is in the contents
    return text[start : text.index(next_heading, start) if next_heading else None]


def test_carry_over_lists_the_kpis_behind_and_the_open_tactics(demo: DemoExport) -> None:
    section = _section(
        demo.review.pdf, "Carry-over to next quarter", "Advisor: plan health and capability"
    )
    assert demo.behind and demo.unfinished and demo.finished  # the demo has all three
    for name in demo.behind:
        assert name in section, name
    for name in set(demo.kpi_names) - set(demo.behind):
        assert name not in section, name
    for title in demo.unfinished:
        assert title in section, title
    for title in demo.finished:
        assert title not in section, title


def test_cover_and_appendix(demo: DemoExport) -> None:
    cover = " ".join(pdf_pages(demo.review.pdf)[0].split())
    assert "Period 31 Aug 2026 – 29 Nov 2026" in cover and "Generated 23 November 2026" in cover
    appendix = _section(demo.review.pdf, "Appendix: KPI definitions")
    for name in demo.kpi_names:
        assert name in appendix, name
    assert "Repeat orders ÷ all orders" in appendix  # a formula from the KPI library


def test_charts_are_vector_svg_not_bitmaps(demo_review: review.Review) -> None:
    reader = pypdf.PdfReader(io.BytesIO(demo_review.pdf))
    bitmaps = sum(len(page.images) for page in reader.pages)
    assert bitmaps == 0
    # Chart axis labels are real text in the PDF, which a bitmap would not give.
    # The demo period runs 31 Aug – 29 Nov: month names appear only as the KPI charts' axis ticks.
    assert pdf_text(demo_review.pdf).count("Sep 2026") == 17  # one per KPI chart


def kpi_chart_pages(result: review.Review) -> dict[int, int]:
    """The page (from 1) each KPI chart landed on, by KPI id, from the laid-out boxes."""
    found = {}
    for number, page in enumerate(result.document.pages, start=1):
        for box in page._page_box.descendants():
            kpi = box.element.get("data-kpi") if box.element_tag == "figure" else None
            if kpi:
                found[int(kpi)] = number
    return found


@pytest.mark.parametrize(
    ("charts", "columns"), [(1, 3), (2, 3), (3, 3), (4, 4), (5, 3), (6, 3), (7, 4), (10, 4)]
)
def test_charts_go_three_a_row_or_four_when_three_would_leave_one_alone(
    charts: int, columns: int
) -> None:
    assert review.chart_columns(charts) == columns


def test_a_stage_with_four_kpi_charts_keeps_them_on_one_page(db: None) -> None:
    from tests.factories import make_demo_plan

    plan = make_demo_plan()
    reach = list(plan.kpis.filter(stage="reach", measurements__isnull=False).distinct())
    assert len(reach) == 4  # three a row would put the fourth on a row, and a page, of its own
    result = export_review(plan, ReviewOptions(stages=("reach",)), today=TODAY)
    pages = kpi_chart_pages(result)
    assert {pages[kpi.pk] for kpi in reach} == {pages[reach[0].pk]}


def test_a_kpi_without_actuals_is_named_instead_of_drawn_empty(db: None) -> None:
    plan = make_plan(name="Half measured")
    measured = make_kpi(plan=plan, stage="reach", name="Visits")
    make_measurement(kpi=measured, on=date(2026, 8, 3), value=Decimal(120))
    empty = make_kpi(plan=plan, stage="reach", name="Newsletter sign-ups")
    result = export_review(plan, today=TODAY)
    assert set(kpi_chart_pages(result)) == {measured.pk}
    assert empty.pk not in kpi_chart_pages(result)
    text = " ".join(pdf_text(result.pdf).split())
    assert "No actuals yet, so no chart: Newsletter sign-ups." in text


def test_charts_use_the_only_fetches_allowed(demo_review: review.Review) -> None:
    served = demo_review.fetcher.served
    assert served[0].endswith("/static/css/review.css")
    assert sum(1 for url in served if url.startswith("data:image/svg+xml")) >= 20
    assert demo_review.fetcher.blocked == []


def test_paper_size_letter_and_a4(plan: Plan) -> None:
    demo_plan = plan
    options = ReviewOptions(stages=("reach",), paper="Letter")
    letter = pypdf.PdfReader(io.BytesIO(export_review(demo_plan, options, today=TODAY).pdf))
    a4 = pypdf.PdfReader(
        io.BytesIO(export_review(demo_plan, ReviewOptions(stages=("reach",)), today=TODAY).pdf)
    )
    assert (round(letter.pages[1].mediabox.width), round(letter.pages[1].mediabox.height)) == (
        612,
        792,
    )
    assert (round(a4.pages[1].mediabox.width), round(a4.pages[1].mediabox.height)) == (595, 842)


def test_stages_option_leaves_the_others_out(demo_plan: Plan) -> None:
    result = export_review(demo_plan, ReviewOptions(stages=("reach", "act")), today=TODAY)
    assert stage_starts(pdf_pages(result.pdf)) == ["Reach", "Act"]
    assert "Return on ad spend" not in pdf_text(result.pdf)  # a Convert KPI


def test_audience_option_narrows_a_plan_for_both(db: None) -> None:
    plan = make_plan(audience="both", name="Dual plan")
    make_kpi(plan=plan, name="Shop visitors", audience="b2c")
    make_kpi(plan=plan, name="Demo requests", audience="b2b")
    make_kpi(plan=plan, name="Brand searches", audience="all")
    make_tactic(plan=plan, title="Trade fair stand", audience="b2b")
    b2c_pdf = export_review(plan, ReviewOptions(audience="b2c"), today=TODAY).pdf
    both_pdf = export_review(plan, ReviewOptions(), today=TODAY).pdf
    b2c, both = pdf_text(b2c_pdf), pdf_text(both_pdf)
    assert "Shop visitors" in b2c and "Brand searches" in b2c
    assert "Demo requests" not in b2c and "Trade fair stand" not in b2c
    assert "B2C" in pdf_pages(b2c_pdf)[0] and "B2B" not in pdf_pages(b2c_pdf)[0]
    assert "Demo requests" in both and "B2C and B2B" in pdf_pages(both_pdf)[0]


def test_period_option_changes_the_judgement(db: None) -> None:
    plan = make_plan(period_start=date(2026, 7, 1), period_end=date(2026, 9, 30))
    kpi = make_kpi(plan=plan, name="Newsletter sign-ups", baseline="100", target="200")
    make_measurement(kpi=kpi, on=date(2026, 7, 10), value="150")
    make_measurement(kpi=kpi, on=date(2026, 9, 20), value="130")
    whole = pdf_text(export_review(plan, today=date(2026, 9, 30)).pdf)
    early = pdf_text(
        export_review(plan, ReviewOptions(end=date(2026, 7, 31)), today=date(2026, 7, 31)).pdf
    )
    assert "1 Jul 2026 – 30 Sep 2026" in whole and "1 Jul 2026 – 31 Jul 2026" in early
    assert re.search(r"Newsletter sign-ups 100 200 [\d.]+ 130 Off track", whole)
    assert re.search(r"Newsletter sign-ups 100 200 [\d.]+ 150 On track", early)


def test_an_empty_plan_still_exports_with_empty_states(db: None) -> None:
    plan = make_plan(name="Blank page")
    text = pdf_text(export_review(plan, today=TODAY).pdf)
    assert "Blank page" in text
    assert "No KPIs in this stage." in text and "No tactics in this stage." in text
    assert "nothing has moved" in text


def test_long_text_wraps_inside_the_page(db: None, tmp_path: Path) -> None:
    plan = make_plan(workspace=make_workspace(name="Wide"), name="Long words")
    make_tactic(plan=plan, title="x" * 190, channel="y" * 80, owner="z" * 120)
    make_kpi(plan=plan, name="k" * 120)
    worksheet = plan.worksheets.get(stage="reach")
    worksheet.opportunity = ("A very long paragraph. " * 170)[:4000]
    worksheet.save()
    result = export_review(plan, today=TODAY)
    (tmp_path / "long.pdf").write_bytes(result.pdf)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", "-png", str(tmp_path / "long.pdf"), str(tmp_path / "p")],
        check=True,
    )
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == result.pages
    for png in pngs[1:]:  # the cover is a full-bleed colour page
        with Image.open(png) as image:
            # The right margin is 16 mm; nothing may be drawn in its outer 12 mm.
            strip = image.crop(
                (image.width - round(image.width * 12 / 210), 0, image.width, image.height)
            )
            darkest, _ = strip.convert("L").getextrema()
            assert isinstance(darkest, int) and darkest >= 250, (
                f"{png.name}: something runs into the margin"
            )
    assert "x" * 40 in pdf_text(result.pdf).replace(" ", "")


def test_format_value_by_unit() -> None:
    assert format_value(Decimal("12400.0000"), "count", "EUR") == "12,400"
    assert format_value(Decimal("3.14"), "percent", "EUR") == "3.14 %"
    assert format_value(Decimal("1250"), "currency", "USD") == "USD 1,250"
    assert format_value(Decimal("0.5"), "currency", "EUR") == "EUR 0.50"
    assert format_value(Decimal("2.4"), "ratio", "EUR") == "2.4"
    assert format_value(None, "currency", "EUR") == "–"


def test_an_export_past_its_bound_stops_with_a_message(demo_plan: Plan) -> None:
    with pytest.raises(review.ExportTimeout) as caught:
        export_review(demo_plan, today=TODAY, timeout=0)
    assert "took longer than 0 seconds" in str(caught.value)
    assert "Try again with fewer stages" in str(caught.value)


def test_a_second_export_keeps_the_same_browser(demo_plan: Plan) -> None:
    options = ReviewOptions(stages=("reach",))
    export_review(demo_plan, options, today=TODAY)
    first = review_charts.browser_pid()
    started = review_charts.stats["started"]
    review_charts.clear_cache()  # so the second export draws its charts again
    export_review(demo_plan, options, today=TODAY)
    assert first is not None
    assert review_charts.browser_pid() == first
    assert review_charts.stats["started"] == started


def test_charts_drawn_together_come_back_in_order_and_once_each(db: None) -> None:
    import plotly.graph_objects as go

    review_charts.clear_cache()
    titles = ["Visitors chart", "Leads chart", "Orders chart"]
    figures = [go.Figure(go.Bar(x=["a"], y=[n]), layout={"title": t}) for n, t in enumerate(titles)]
    sizes = [
        (figures[0], 300, 200),
        (figures[1], 320, 200),
        (figures[0], 300, 200),
        (figures[2], 300, 180),
    ]
    svgs = review_charts.render_svgs(sizes, deadline=Deadline(60))
    assert [title for svg in svgs for title in titles if title in svg] == [
        "Visitors chart",
        "Leads chart",
        "Visitors chart",
        "Orders chart",
    ]
    assert 'width="320"' in svgs[1] and 'height="180"' in svgs[3]
    assert svgs[0] == svgs[2]
    assert len(review_charts._cache) == 3  # the repeated figure was drawn once
    # A second call draws nothing: both figures come from the cache.
    again = review_charts.render_svgs(sizes[:2], deadline=Deadline(60))
    assert again == svgs[:2] and len(review_charts._cache) == 3


def test_a_layout_past_its_bound_stops_at_the_bound(
    demo_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint cannot be interrupted: the export gives up at the bound, not when it ends."""
    import time

    import weasyprint

    options = ReviewOptions(stages=("act",))
    export_review(demo_plan, options, today=TODAY)  # charts drawn and cached: only layout is slow
    layout.cache.clear()  # and laid out again

    class SlowHTML(weasyprint.HTML):  # a document that takes 20 s to lay out
        def render(self, *args: Any, **kwargs: Any) -> Any:
            time.sleep(20)
            return super().render(*args, **kwargs)

    monkeypatch.setattr(review, "HTML", SlowHTML)
    began = time.monotonic()
    with pytest.raises(review.ExportTimeout, match="while laying out the pages"):
        export_review(demo_plan, options, today=TODAY, timeout=4)
    assert time.monotonic() - began < 10


def test_a_chart_call_past_its_bound_stops_and_the_next_export_works(demo_plan: Plan) -> None:
    review_charts.clear_cache()
    deadline = Deadline(0.05)  # time to start, not to draw
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    review_charts.render_svgs([(figure, 300, 200)], deadline=Deadline(60))
    slow = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    with pytest.raises(review.ExportTimeout):
        review_charts.render_svgs([(slow, 300, 200)], deadline=deadline)
    # The late call finishes in the background; the next export waits for it and succeeds.
    result = export_review(demo_plan, ReviewOptions(stages=("act",)), today=TODAY)
    assert result.pdf.startswith(b"%PDF-")


def test_without_a_browser_the_export_fails_with_a_clear_message(
    demo_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(review.ChartsUnavailable) as caught:
        export_review(demo_plan, today=TODAY)
    assert "need Chromium" in str(caught.value)


@pytest.mark.django_db(transaction=True)
def test_two_exports_at_once_both_succeed() -> None:
    from tests.factories import make_demo_plan

    plans = [make_demo_plan(), make_demo_plan(name="FinTrack – pipeline and renewals")]
    review_charts.clear_cache()  # both must really draw, at the same time
    start = threading.Barrier(2)
    options = ReviewOptions(stages=("plan", "convert"))

    def run(plan: Plan) -> review.Review:
        start.wait()
        try:
            return export_review(plan, options, today=TODAY)
        finally:
            connection.close()  # each thread has its own; leave none open for teardown

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, plans))
    for plan, result in zip(plans, results, strict=True):
        assert result.pdf.startswith(b"%PDF-")
        assert plan.name in pdf_text(result.pdf)
    # Each PDF carries its own charts: no figure leaked from one export into the other.
    assert "Won deals" in pdf_text(results[1].pdf) and "Won deals" not in pdf_text(results[0].pdf)


def test_lighten_svg_turns_inline_styles_into_attributes() -> None:
    svg = '<svg><path d="M0,0" style="stroke: rgb(1, 2, 3); stroke-width: 1px;"/><text style="font-family: &quot;Open Sans&quot;, verdana;">a</text></svg>'
    assert review_charts.lighten_svg(svg) == (
        '<svg><path d="M0,0" stroke="rgb(1, 2, 3)" stroke-width="1px"/>'
        "<text font-family=\"'Open Sans', verdana\">a</text></svg>"
    )
    odd = '<svg><g style="fill: url(data:a;b)"/></svg>'
    assert review_charts.lighten_svg(odd) == odd
    # A chart's text is left as typed, even when it reads like an attribute.
    typed = '<text style="fill: red">&#60;b style="fill: blue"&#62; x</text>'
    assert review_charts.lighten_svg(typed) == (
        '<text fill="red">&#60;b style="fill: blue"&#62; x</text>'
    )


def test_export_works_with_hashed_production_static_files(plan: Plan, settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    result = export_review(plan, ReviewOptions(stages=("plan",)), today=TODAY)
    assert result.fetcher.served[0].endswith("/static/css/review.css")
    assert result.fetcher.blocked == []


def test_a_browser_that_will_not_start_gives_a_message_not_a_hang() -> None:
    """In a fresh process (the suite's own chart server keeps running): Chromium replaced by
    a program that exits at once."""
    script = (
        "import django; django.setup()\n"
        "import plotly.graph_objects as go\n"
        "from kpis.review.charts import render_svgs\n"
        "from kpis.review.errors import ChartsUnavailable, Deadline\n"
        "try:\n"
        "    render_svgs([(go.Figure(), 300, 200)], deadline=Deadline(30))\n"
        "except ChartsUnavailable as error:\n"
        "    print('MESSAGE', error)\n"
    )
    env = {
        **os.environ,
        "BROWSER_PATH": "/bin/false",
        "DJANGO_SETTINGS_MODULE": "race_planner.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert "MESSAGE The chart browser (/bin/false) did not start" in done.stdout, done.stderr


def test_trim_svg_drops_what_draws_nothing_and_keeps_what_does() -> None:
    svg = (
        '<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" width="30" height="20">'
        '<defs id="d"><g class="clips"><clipPath id="used"><rect width="9" height="9"/></clipPath>'
        '<clipPath id="unused"><rect width="1" height="1"/></clipPath></g>'
        '<g class="gradients"/></defs><g class="bglayer"/><path class="xlines-below"/>'
        '<g class="cartesianlayer"><g class="subplot xy"><g class="shapelayer"/>'
        '<g class="trace" opacity="0.5" clip-path="url(#used)">'
        '<path class="js-line" data-index="0" d="M0,0L9,9" stroke="red"/></g></g></g>'
        '<text class="gtitle" x="1" y="2">&lt;b&gt; Visitors &amp; leads</text></svg>'
    )
    assert review_charts.trim_svg(svg) == (
        '<svg width="30" height="20" xmlns="http://www.w3.org/2000/svg">'
        '<defs id="d"><clipPath id="used"><rect width="9" height="9" /></clipPath></defs>'
        '<g opacity="0.5" clip-path="url(#used)"><path d="M0,0L9,9" stroke="red" /></g>'
        '<text x="1" y="2">&lt;b&gt; Visitors &amp; leads</text></svg>'
    )


def test_the_demo_charts_print_the_same_after_trimming(
    demo_plan: Plan, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every chart of the demo review, as Chromium drew it and as trimmed, paints the same
    pixels (WeasyPrint's PDF rasterised by poppler), from less than half the elements."""
    import base64

    import weasyprint

    raw: list[str] = []
    real_trim = review_charts.trim_svg

    def untrimmed(svg: str) -> str:
        raw.append(svg)
        return svg

    review_charts.clear_cache()
    monkeypatch.setattr(review_charts, "trim_svg", untrimmed)
    review.build_context(demo_plan, ReviewOptions(), today=TODAY, deadline=Deadline(120))
    review_charts.clear_cache()  # no untrimmed chart stays behind for other tests
    assert len(raw) >= 15
    trimmed = [real_trim(svg) for svg in raw]
    assert sum(s.count("<") for s in trimmed) < 0.5 * sum(s.count("<") for s in raw)

    def pixels(svgs: list[str], name: str) -> list[bytes]:
        images = "".join(
            '<img style="width: 100%" src="data:image/svg+xml;base64,'
            f'{base64.b64encode(svg.encode()).decode()}">'
            for svg in svgs
        )
        (tmp_path / f"{name}.pdf").write_bytes(weasyprint.HTML(string=images).write_pdf())
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
            check=True,
        )
        pages = sorted(tmp_path.glob(f"{name}-*.png"))
        assert pages
        return [Image.open(png).tobytes() for png in pages]

    assert pixels(trimmed, "trimmed") == pixels(raw, "raw")


def test_one_changed_actual_redraws_only_the_charts_that_show_it(demo_plan: Plan) -> None:
    """The chart cache is keyed by what a chart shows: after one changed actual, its KPI's chart
    is drawn again (and the funnel's, when the KPI is a stage's volume), nothing else."""

    def change_latest(name: str, value: str) -> None:
        latest = demo_plan.kpis.get(name=name).measurements.order_by("-date").first()
        assert latest is not None
        latest.value = Decimal(value)
        latest.save()

    review_charts.clear_cache()
    export_review(demo_plan, today=TODAY)
    drawn = review_charts.stats["drawn"]
    export_review(demo_plan, today=TODAY)
    assert review_charts.stats["drawn"] == drawn  # unchanged plan: every chart from the cache

    change_latest("Share of search", "5.61")
    export_review(demo_plan, today=TODAY)
    assert review_charts.stats["drawn"] == drawn + 1

    change_latest("Unique visitors", "14021")
    export_review(demo_plan, today=TODAY)
    assert review_charts.stats["drawn"] == drawn + 3  # its chart and the funnel
