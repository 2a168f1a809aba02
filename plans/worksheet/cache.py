"""The worksheet's stages kept as HTML between views, until what they show changes.

The stages are most of the page and most of its cost: five queries (worksheets, objectives,
tactics, KPIs, the KPIs' readings) and the HTML of every row. Most views show what the view
before showed, so each process keeps the last HTML it wrote per plan and per reader kind
(editing or reading), stamped with everything that HTML depends on:

- the plan's `content_revision`, which every write to its stages, items and actuals moves on
  (plans/revisions.py), and its `updated_at` (the currency, audience and period the rows show);
- its `created_at`: SQLite can give a deleted plan's id to a new one;
- today's date (a KPI's status moves with time), the language and the URL prefix.

The stamp is read from the plan row every view fetches anyway (`plans.access`), so a kept
HTML is never shown once its plan has changed, in this process or any other. The kept HTML
is the same for every reader of a kind: each form's CSRF field is a slot that the reader's own
token fills when the page is drawn (escaped text cannot contain it: it holds `"` and `<`).

After a change the stages are read again, but most of them show what they showed: an edit
touches one stage. So each stage's HTML is kept too, stamped with the plan row's stamp less its
revision and with every value the stage is written from (`StageContent.shows`: its rows, the
rows they show a line of, its KPIs' readings); only the stages whose values differ are written
again.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from plans import extensions
from plans.models import Plan, Stage
from plans.worksheet import stage_html
from plans.worksheet.content import load_stages
from plans.worksheet.row_html import RowPage, csrf_field
from plans.worksheet.rows import stage_page
from race_planner.kept import Kept

SLOT_TOKEN = "csrf-slot"  # noqa: S105 (not a secret: a stand-in for one)
CSRF_SLOT = csrf_field(SLOT_TOKEN)  # in kept HTML, where each form's CSRF field goes
# What a process keeps at most, in bytes of HTML, of whole plans' stages and of single stages
# (the 40-KPI worksheet is some 400 KB, 1,000 items some 4 MB): the plans viewed least recently
# go first. Both hold the same strings, so a process keeps some 16 MB of HTML, at most twice
# that, and the stamps beside it (the values each stage was written from).
MAX_BYTES = 16_000_000

Stamp = tuple[datetime, datetime, int, date, str, str]


@dataclass(frozen=True)
class Sections:
    """A plan's stages as HTML, each as the stage cache keeps it (CSRF fields left as slots),
    and the stage navigation's counts."""

    stages: tuple[str, ...]
    nav: list[tuple[Stage, int]]

    @property
    def size(self) -> int:
        """Bytes of HTML (a text with any character past Latin-1 takes two or four a character)."""
        return sum(sys.getsizeof(stage) for stage in self.stages)

    def for_reader(self, csrf_token: str) -> SafeString:
        """The stages with the reader's CSRF token in every form (values escaped when built)."""
        field = csrf_field(csrf_token)
        return mark_safe("".join(stage.replace(CSRF_SLOT, field) for stage in self.stages))


_kept: Kept[Sections] = Kept(lambda sections: sections.size, MAX_BYTES)
_stages: Kept[str] = Kept(sys.getsizeof, MAX_BYTES)  # by (plan id, may edit, stage)


def stamp(plan: Plan) -> Stamp:
    """Everything the stages' HTML depends on beyond the plan's id and the reader's kind."""
    return (
        plan.created_at,
        plan.updated_at,
        plan.content_revision,
        timezone.localdate(),
        get_language(),
        get_script_prefix(),
    )


def build(plan: Plan, *, can_edit: bool) -> Sections:
    """The stages as HTML: five queries, and the HTML of each stage whose values changed."""
    readings = extensions.kpi_readings(plan)
    plan_stamp = stamp(plan)
    unchanged_plan = plan_stamp[:2] + plan_stamp[3:]  # all but the revision
    # What writing a stage takes (fourteen URLs reversed), made only if a stage is written.
    writing: tuple[RowPage, stage_html.StageUrls] | None = None
    stages, nav = [], []
    for content in load_stages(plan):
        slot = (plan.pk, can_edit, content.stage.value)
        shows: Any = (unchanged_plan, content.shows(readings))
        stage = _stages.get(slot, shows)
        if stage is None:
            writing = writing or (
                RowPage.of(plan, can_edit=can_edit, csrf_token=SLOT_TOKEN, readings=readings),
                stage_html.StageUrls.of(plan.pk),
            )
            stage_parts = stage_page(plan, content, editable=can_edit, readings=readings)
            stage = stage_html.stage_section(stage_parts, *writing)
            _stages.put(slot, shows, stage)
        stages.append(stage)
        nav.append((content.stage, content.count))
    return Sections(tuple(stages), nav)


def stage_sections(plan: Plan, *, can_edit: bool) -> Sections:
    """The plan's stages as this process last wrote them, unless the plan changed since."""
    slot, now = (plan.pk, can_edit), stamp(plan)
    found = _kept.get(slot, now)
    if found is None:
        found = build(plan, can_edit=can_edit)
        _kept.put(slot, now, found)
    return found


def clear() -> None:
    """Forget every kept HTML (benchmarks measure the first view of a new process with it)."""
    _kept.clear()
    _stages.clear()
