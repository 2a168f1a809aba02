"""The review laid out a section at a time: kept sections are reused only where nothing they
show changed, and page numbers, contents and outline stay right across the joined sections."""

import io
import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pypdf
import pytest
from weasyprint import CSS, HTML, Document

from kpis.review import layout
from kpis.review.export import ReviewOptions, export_review
from plans.models import Plan
from tests.factories import make_tactic
from tests.review_helpers import pdf_pages

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo_plan(db: None) -> Plan:
    from tests.factories import make_demo_plan

    return make_demo_plan()


def change_latest(plan: Plan, name: str, value: str) -> None:
    latest = plan.kpis.get(name=name).measurements.order_by("-date").first()
    assert latest is not None
    latest.value = Decimal(value)
    latest.save()


def outline(pdf: bytes) -> list[tuple[str, int]]:
    """The PDF's bookmarks, flattened in order, with the page (from 1) each points at."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: list[tuple[str, int]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                page = reader.get_destination_page_number(item)
                assert page is not None
                found.append((item.title, page + 1))

    walk(reader.outline)
    return found


def assert_numbered_right(pdf: bytes) -> None:
    """Every page after the cover says "Page n of total", every contents entry and every
    section's bookmark points at the page that section begins on."""
    pages = pdf_pages(pdf)
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text, number
    contents = re.findall(r"^\s*(.+?)\s*\.{3,}\s*(\d+)\s*$", pages[1], flags=re.M)
    assert len(contents) >= 4
    sections = {title: int(page) for title, page in contents}
    for title, page in sections.items():
        heading = [line.strip() for line in pages[page - 1].splitlines() if line.strip()][1]
        assert heading.startswith(title), f"{title} is not on page {page}"
    bookmarks = dict(outline(pdf))
    for title, page in sections.items():
        marked = [p for t, p in bookmarks.items() if t.startswith(title)]
        assert marked == [page], title


def test_a_changed_actual_lays_out_only_the_sections_that_show_it(demo_plan: Plan) -> None:
    first = export_review(demo_plan, today=TODAY)
    assert first.laid_out == ("whole",)  # never seen: laid out as one document, kept by section
    again = export_review(demo_plan, today=TODAY)
    assert again.laid_out == () and again.pdf == first.pdf

    change_latest(demo_plan, "Share of search", "5.61")  # a Reach KPI
    laid = layout.cache.stats["laid_out"]
    changed = export_review(demo_plan, today=TODAY)
    assert "stage-reach" in changed.laid_out
    # The summary and the carry-over may show the value too; no other stage, nor the front.
    assert set(changed.laid_out) <= {"stage-reach", "summary", "carry-over"}
    assert layout.cache.stats["laid_out"] == laid + len(changed.laid_out)
    assert "5.61 %" in pdf_pages(changed.pdf)[5]  # the Reach page

    layout.cache.clear()
    assert export_review(demo_plan, today=TODAY).pdf == changed.pdf  # as if laid out whole


def test_pages_stay_numbered_when_a_middle_stage_grows_by_a_page(demo_plan: Plan) -> None:
    before = export_review(demo_plan, today=TODAY)
    assert_numbered_right(before.pdf)
    for n in range(30):
        make_tactic(plan=demo_plan, stage="act", title=f"Extra act tactic {n}")
    after = export_review(demo_plan, today=TODAY)
    assert after.pages > before.pages
    assert_numbered_right(after.pdf)
    stages = [title.split()[0] for title, _ in outline(after.pdf) if title.endswith("track")]
    stages += [title.split()[0] for title, _ in outline(after.pdf) if title.endswith("risk")]
    assert set(stages) == {"Plan", "Reach", "Act", "Convert", "Engage"}
    # Sections before the Act stage kept their pages, but not their "of N": laid out again.
    assert {"front", "summary", "stage-act", "definitions"} <= set(after.laid_out)

    layout.cache.clear()
    assert export_review(demo_plan, today=TODAY).pdf == after.pdf


def test_options_that_change_what_a_section_shows_are_not_served_from_another(
    demo_plan: Plan,
) -> None:
    export_review(demo_plan, ReviewOptions(stages=("reach", "act")), today=TODAY)
    reused = layout.cache.stats["reused"]
    letter = export_review(
        demo_plan, ReviewOptions(stages=("reach", "act"), paper="Letter"), today=TODAY
    )
    assert layout.cache.stats["reused"] == reused  # no A4 section served for Letter
    width = pypdf.PdfReader(io.BytesIO(letter.pdf)).pages[3].mediabox.width
    assert round(width) == 612


# lay_out itself, on small documents -------------------------------------------------------


def paragraphs(count: int, name: str, text: str) -> str:
    """Section `name`, `count` pages long, each page a paragraph of `text`."""
    more = "".join(f'<p style="break-before: page">{text} {n}</p>' for n in range(1, count))
    first = f'<h2 id="{name}" style="break-before: page">{text}</h2><p>{text} 0</p>'
    return f"<style>@page {{ size: A6 }}</style>{first}{more}"


def front(starts: dict[str, int] | None) -> str:
    if starts is None:  # the whole document: the pages are counted in it
        listed = "".join(f'<li>{n} on <a href="#{n}"></a></li>' for n in ("a", "b"))
    else:
        listed = "".join(f"<li>{name} on {page}</li>" for name, page in starts.items())
    style = "a::after { content: target-counter(attr(href), page) } @page { size: A6 }"
    return f"<style>{style}</style><h1>Front</h1><ol>{listed}</ol>"


def render(html: str, numbering: layout.Numbering) -> Document:
    return HTML(string=html).render(stylesheets=[CSS(string=numbering.stylesheet())])


def text_of(document: Document) -> list[str]:
    import subprocess

    pdf = document.write_pdf()
    run = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True)
    return [" ".join(page.split()) for page in run.stdout.decode().split("\f")[:-1]]


def test_sections_are_numbered_across_the_document_and_kept() -> None:
    kept = layout.LayoutCache(10)
    body = [
        layout.Section("a", paragraphs(2, "a", "Alpha")),
        layout.Section("b", paragraphs(3, "b", "Beta")),
    ]

    def lay_out() -> tuple[list[str], list[str]]:
        def whole() -> str:
            return front(None) + "".join(section.html for section in body)

        document, laid_out = layout.lay_out(body, front, whole, render, slot="t", layouts=kept)
        return text_of(document), laid_out

    # Never seen: laid out whole, once, and its pages kept as the sections.
    pages, laid_out = lay_out()
    assert laid_out == ["whole"] and len(kept) == 3
    assert len(pages) == 6
    assert "a on 2" in pages[0] and "b on 4" in pages[0] and "Page 1 of 6" in pages[0]
    assert pages[1].startswith("Alpha") and "Page 2 of 6" in pages[1]
    assert pages[3].startswith("Beta") and "Page 4 of 6" in pages[3]
    assert "Page 6 of 6" in pages[5]

    # The same page counts: only the changed section is laid out again.
    body[1] = layout.Section("b", paragraphs(3, "b", "Gamma"))
    pages, laid_out = lay_out()
    assert laid_out == ["b"]
    assert pages[3].startswith("Gamma") and "Page 4 of 6" in pages[3] and "b on 4" in pages[0]

    # Alpha grows by a page: every number after it moves, the contents' too.
    body[0] = layout.Section("a", paragraphs(3, "a", "Alpha"))
    pages, laid_out = lay_out()
    assert len(pages) == 7 and "b on 5" in pages[0] and "Page 1 of 7" in pages[0]
    assert pages[4].startswith("Gamma") and "Page 5 of 7" in pages[4]
    # Alpha twice: numbered as last time to find its page count, then for good.
    assert laid_out == ["a", "front", "a", "b"]


def test_the_cache_keeps_at_most_its_bound_and_drops_the_least_recently_used() -> None:
    kept = layout.LayoutCache(2)

    def laid(pages: int) -> Any:
        return SimpleNamespace(pages=[object()] * pages)

    keys = [(name, layout.Numbering(1, 5)) for name in ("a", "b", "c")]
    kept.put(keys[0], laid(1))
    kept.put(keys[1], laid(2))
    assert kept.get(keys[0]) is not None  # now b is the least recently used
    kept.put(keys[2], laid(3))
    assert len(kept) == 2 and kept.stats["evicted"] == 1
    assert kept.get(keys[1]) is None and kept.get(keys[0]) is not None
    assert kept.pages("b") == 2  # its page count is still known
    assert layout.cache.bound == layout.SECTIONS
