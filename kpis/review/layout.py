"""The review laid out a section at a time, and laid-out sections kept for the next export.

Most of an export is WeasyPrint laying out text. The review is a row of sections that each
begin on a new page (cover and contents, the summary, one per stage, the carry-over, the
appendix), so each is laid out as a document of its own and their pages are joined
(WeasyPrint's `Document.copy`). A worker keeps the sections it laid out (`cache`); after one
changed actual only the sections that show it are laid out again.

Pages are numbered across the whole review ("Page 7 of 11"), so a section's numbers are part
of its layout: each gets its first page and the total in a small stylesheet, and both are in
its key. Page counts do not depend on the numbers, so they come first (remembered from earlier
layouts, or found by laying out the sections never seen), then every section is numbered and
found or laid out, and the front (cover and contents, which names the sections' pages) last.
A review mostly never seen (a worker's first, new options) is laid out whole, once, as one
document, and its pages are kept as its sections: found twice would cost more.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from weasyprint import Document

__all__ = ["FRONT", "SECTIONS", "WHOLE", "LayoutCache", "Numbering", "Section", "cache", "lay_out"]

# Laid-out sections a worker keeps: a review is 9 of them (5 stages), so the last 3-4 reviews.
# Measured ~5 MB of the worker's memory a section (its boxes and its charts' parsed SVG), so
# the cache stays under ~160 MB; benchmarks/review_render.py prints what it holds.
SECTIONS = 32
FRONT = "front"  # the cover and the contents
ATTEMPTS = 3  # numberings tried before a review whose page counts keep moving is taken as is


@dataclass(frozen=True)
class Section:
    name: str  # its anchor: "summary", "stage-reach", ...
    html: str  # the whole document, without its page numbers

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.html.encode()).hexdigest()


@dataclass(frozen=True)
class Numbering:
    first: int
    total: int

    def stylesheet(self) -> str:
        if self == WHOLE:
            return (
                '@page { @bottom-right { content: "Page " counter(page) " of " counter(pages); } }'
            )
        return (
            f'@page {{ @bottom-right {{ content: "Page " counter(page) " of {self.total}"; }} }}'
            f" @page :first {{ counter-reset: page {self.first}; }}"
        )


WHOLE = Numbering(1, 0)  # the whole review as one document, numbered by WeasyPrint


Render = Callable[[str, Numbering], Document]
Key = tuple[str, Numbering]


class LayoutCache:
    """Laid-out sections by what they show and how they are numbered; the least recently used
    goes first past `bound`. Page counts (a few bytes each) are kept for 16 times as many."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.stats: Counter[str] = Counter()  # laid_out, reused, evicted
        self._documents: OrderedDict[Key, Document] = OrderedDict()
        self._pages: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, key: Key) -> Document | None:
        with self._lock:
            document = self._documents.get(key)
            if document is not None:
                self._documents.move_to_end(key)
                self.stats["reused"] += 1
            return document

    def put(self, key: Key, document: Document) -> None:
        with self._lock:
            self.stats["laid_out"] += 1
            self._documents[key] = document
            self._documents.move_to_end(key)
            while len(self._documents) > self.bound:
                self._documents.popitem(last=False)
                self.stats["evicted"] += 1
        self.note_pages(key[0], len(document.pages))

    def pages(self, name: str) -> int | None:
        with self._lock:
            return self._pages.get(name)

    def note_pages(self, name: str, count: int) -> None:
        with self._lock:
            self._pages[name] = count
            self._pages.move_to_end(name)
            while len(self._pages) > 16 * self.bound:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._documents.clear()
            self._pages.clear()
            self.stats.clear()


cache = LayoutCache(SECTIONS)
# Cached pages are painted by every review that shows them; painting keeps state on the
# charts' SVG, so one review paints at a time (a worker makes one at a time anyway).
painting = threading.Lock()


def _numbered(counts: dict[str, int]) -> dict[str, Numbering]:
    total, first, numbers = sum(counts.values()), 1, {}
    for name, count in counts.items():  # in document order
        numbers[name] = Numbering(first, total)
        first += count
    return numbers


def lay_out(
    body: Sequence[Section],
    front: Callable[[dict[str, int] | None], str],
    whole: Callable[[], str],
    render: Render,
    *,
    slot: str,
    layouts: LayoutCache = cache,
) -> tuple[Document, list[str]]:
    """The review as one document: `front(starts)` (starts: each body section's first page)
    and then `body`; and the names of the sections laid out now (the others were kept).
    `whole()` is the same review as a single document (the front's contents count the pages).

    `slot` names the review (plan and options): a section never seen is first numbered as
    the same section of that review was last time, which is usually right.
    """
    laid_out: list[str] = []

    def place(section: Section, numbering: Numbering) -> Document:
        key = (section.digest, numbering)
        document = layouts.get(key)
        if document is None:
            document = render(section.html, numbering)
            layouts.put(key, document)
            laid_out.append(section.name)
        return document

    def front_for(numbers: dict[str, Numbering]) -> Section:
        return Section(FRONT, front({s.name: numbers[s.name].first for s in body}))

    # The front's page count does not depend on the page numbers it names: kept by its shape.
    shape = Section(FRONT, front(dict.fromkeys((s.name for s in body), 0))).digest
    known = {FRONT: layouts.pages(shape)} | {s.name: layouts.pages(s.digest) for s in body}
    unknown = [name for name, count in known.items() if count is None]
    if 2 * len(unknown) > len(known):
        document = render(whole(), WHOLE)
        counts = _split(document, [s.name for s in body])
        _keep(document, counts, body, front_for, layouts)
        laid_out.append("whole")
    else:
        if unknown:
            guessed = {
                name: count or layouts.pages(f"{slot}/{name}") or 1 for name, count in known.items()
            }
            numbers = _numbered(guessed)
            for section in [front_for(numbers), *body]:
                if known[section.name] is None:
                    known[section.name] = len(place(section, numbers[section.name]).pages)
        counts = {name: count or 1 for name, count in known.items()}
        for _ in range(ATTEMPTS):
            numbers = _numbered(counts)
            documents = [place(s, numbers[s.name]) for s in [front_for(numbers), *body]]
            found = dict(zip(counts, (len(d.pages) for d in documents), strict=True))
            if found == counts:
                break
            counts = found
        pages = [page for document in documents for page in document.pages]
        document = documents[0].copy(pages)
    layouts.note_pages(shape, counts[FRONT])
    for name, count in counts.items():
        layouts.note_pages(f"{slot}/{name}", count)
    return document, laid_out


def _split(document: Document, names: list[str]) -> dict[str, int]:
    """The page count of the front and of each section, found by where each one's anchor is."""
    starts = {}
    for number, page in enumerate(document.pages):
        for name in names:
            if name in page.anchors and name not in starts:
                starts[name] = number
    bounds = [0, *(starts[name] for name in names), len(document.pages)]
    return {
        name: end - start
        for name, start, end in zip([FRONT, *names], bounds, bounds[1:], strict=False)
    }


def _keep(
    document: Document,
    counts: dict[str, int],
    body: Sequence[Section],
    front_for: Callable[[dict[str, Numbering]], Section],
    layouts: LayoutCache,
) -> None:
    """A whole review's pages kept as its sections, as if each had been laid out on its own."""
    numbers = _numbered(counts)
    for section in [front_for(numbers), *body]:
        numbering = numbers[section.name]
        first = numbering.first - 1
        pages = document.pages[first : first + counts[section.name]]
        layouts.put((section.digest, numbering), document.copy(pages))
