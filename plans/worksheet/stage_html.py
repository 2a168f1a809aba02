"""A worksheet stage as HTML, built in Python: its heading, guidance, notes form (or the notes
for readers), and per kind its count, audience groups and "Add" disclosure.

What a stage shows does not grow with the plan, yet the template engine spent some 4 ms on each
(two hundred tags and lookups, an include per notes field, a `{% url %}` per kind): most of the
page for a plan with few items. Here a stage costs a few string joins and each URL is reversed
once per page. The markup is the one the page always had; `{% stage_sections %}` puts it in
`plans/worksheet.html`, and the stage-notes partials of `plans/worksheet_page.html` (a page of
their own without JavaScript, and the fragments htmx swaps) use the same functions.

The notes' fields come from the form (`form.visible_fields()`), written as
`templates/field_inc.html` writes a field, so a field added to `WorksheetForm` shows up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.template.defaultfilters import time as time_filter

from plans.models import StageWorksheet
from plans.worksheet.forms import WorksheetForm
from plans.worksheet.row_html import MARK, ItemUrl, RowPage, item_list, prose, text
from plans.worksheet.rows import ItemGroup, KindSection, StagePage
from race_planner.forms import field_html


@dataclass(frozen=True)
class StageUrls:
    """The URLs a plan's stages link to, reversed once a page: a worksheet's notes and primary
    KPI by worksheet id, a kind's "Add" form by stage."""

    notes: ItemUrl
    primary_kpi: ItemUrl
    add: dict[str, ItemUrl]

    @classmethod
    def of(cls, plan_id: int) -> StageUrls:
        return cls(
            ItemUrl.of("plans-worksheet-update", plan_id, MARK),
            ItemUrl.of("plans-primary-kpi", plan_id, MARK),
            {
                kind: ItemUrl.of("plans-item-create", plan_id, MARK, kind)
                for kind in ("objective", "tactic", "kpi")
            },
        )


def primary_kpi_field(form: WorksheetForm, worksheet: StageWorksheet, urls: StageUrls) -> str:
    """The stage's primary KPI, refreshed on its own when the stage's KPIs change."""
    field, stage = form["primary_kpi"], text(worksheet.stage)
    messages = "".join(f'<p class="field-error">{text(error)}</p>' for error in field.errors)
    not_a_volume = form.not_a_volume and (
        f'<p class="field-error not-a-volume">{text(form.not_a_volume)}</p>'
    )
    return (
        f'<div class="field primary-kpi{" has-error" if field.errors else ""}" '
        f'id="primary-{stage}" hx-get="{urls.primary_kpi(worksheet.pk)}" '
        f'hx-trigger="kpisChanged-{stage} from:body" hx-target="this" hx-swap="outerHTML">\n'
        f'  <label for="{text(field.auto_id)}">{text(field.label)}</label>\n'
        f"  {field}\n"
        f'  <small class="help">{text(field.help_text)}</small>\n'
        f"  {messages}\n  {not_a_volume or ''}\n</div>\n"
    )


def _save_state(form: WorksheetForm, saved_at: datetime | None, conflicted: bool) -> str:
    """Where the notes stand, in one line: never "saved when you leave a field" beside a refusal."""
    if saved_at:
        state, words = " is-saved", f"Saved at {time_filter(saved_at, 'H:i:s')}"
    elif conflicted:
        state, words = " is-unsaved", "Not saved: save again to keep your version."
    elif form.errors:
        state, words = " is-unsaved", "Not saved: fix the field marked above."
    else:
        state, words = "", "Changes are saved when you leave a field."
    return f'<p class="save-state{state}" role="status" aria-live="polite">\n    {words}\n  </p>'


def notes_state(
    form: WorksheetForm,
    worksheet: StageWorksheet,
    *,
    saved_at: datetime | None = None,
    conflicted: bool = False,
) -> str:
    """The notes' version, save state and Save button; after a save, the conflict message goes."""
    stage, version = text(worksheet.stage), form["version"]
    state = _save_state(form, saved_at, conflicted)
    cleared = saved_at and f'<div id="ws-conflict-{stage}" hx-swap-oob="true"></div>\n'
    return (
        f'<div class="ws-state" id="ws-state-{stage}">\n'
        f'  <input type="hidden" name="{text(version.html_name)}" value="{worksheet.version}" '
        f'id="{text(version.auto_id)}">\n'
        f"  {state}\n"
        f'  <button type="submit" class="button small">Save '
        f"{text(worksheet.get_stage_display())} notes</button>\n</div>\n{cleared or ''}"
    )


def notes_form(
    form: WorksheetForm,
    worksheet: StageWorksheet,
    urls: StageUrls,
    csrf_field: str,
    *,
    conflict: str = "",
    saved_at: datetime | None = None,
    conflicted: bool = False,
) -> str:
    """A stage's notes, saved field by field with htmx, or all at once by the Save button.
    `conflict` is the conflict message's markup, when the save was refused."""
    stage, action = text(worksheet.stage), urls.notes(worksheet.pk)
    errors = "".join(
        f'<p class="form-errors">{text(error)}</p>' for error in form.non_field_errors()
    )
    fields = "".join(
        field_html(field) for field in form.visible_fields() if field.name != "primary_kpi"
    )
    return (
        f'<form id="ws-form-{stage}" class="ws-form" method="post" action="{action}"\n'
        f'      hx-post="{action}" hx-trigger="change" hx-target="#ws-state-{stage}" '
        'hx-swap="outerHTML" hx-sync="this:queue all">\n'
        f'  {csrf_field}\n  <div id="ws-conflict-{stage}">{conflict}</div>\n  {errors}\n'
        f'  <div class="grid-3">\n{fields}  </div>\n  <div class="ws-foot">\n'
        f"{primary_kpi_field(form, worksheet, urls)}"
        f"{notes_state(form, worksheet, saved_at=saved_at, conflicted=conflicted)}"
        "  </div>\n</form>\n"
    )


def _notes_for_readers(worksheet: StageWorksheet) -> str:
    def written(value: str) -> str:
        return prose(value or "Not written yet.")

    funnel = worksheet.funnel_kpi
    primary = funnel and (
        f"<p><strong>Primary KPI (funnel volume):</strong> {text(funnel.name)}</p>\n"
    )
    return (
        '<div class="grid-3">\n'
        f'  <div><h3>Opportunity</h3><p class="prose">{written(worksheet.opportunity)}</p></div>\n'
        f'  <div><h3>Strategy</h3><p class="prose">{written(worksheet.strategy)}</p></div>\n'
        f'  <div><h3>Actions</h3><p class="prose">{written(worksheet.actions)}</p></div>\n'
        f"</div>\n{primary or ''}"
    )


def section_count(
    stage: str, kind_key: str, count: int, on_track: int | None, *, oob: bool = False
) -> str:
    """A kind's count in its heading ("(3, 2 on track)"); `oob` when it follows a change."""
    swap = ' hx-swap-oob="true"' if oob else ""
    tracked = count and on_track is not None
    on_track_text = f'<span class="on-track-count">, {on_track} on track</span>' if tracked else ""
    return (
        f'<span class="muted count-inline" id="count-{text(stage)}-{kind_key}"{swap}>'
        f"({count}{on_track_text})</span>"
    )


def _group(group: ItemGroup, section: KindSection, stage: str, page: RowPage, titled: bool) -> str:
    title = titled and (
        f'<h4 class="group-title"><span class="tag tag-{text(group.key)}">'
        f"{text(group.label)}</span></h4>\n"
    )
    return (
        f'<div class="group group-{text(group.key)}">\n{title or ""}'
        f"{item_list(group.items, section.kind, stage, group, page)}</div>\n"
    )


def _section(section: KindSection, stage: str, page: RowPage, urls: StageUrls) -> str:
    kind, groups = section.kind, section.groups
    plural = kind.plural[:1].upper() + kind.plural[1:]  # |capfirst
    lists = "".join(_group(group, section, stage, page, len(groups) > 1) for group in groups)
    add = ""
    if page.can_edit:
        url, label = f"{urls.add[kind.key](stage)}?position={section.next_position}", kind.label
        add = (
            f'<details class="add-item" hx-get="{text(url)}" hx-trigger="toggle once" '
            'hx-target="find .add-slot" hx-swap="innerHTML">\n'
            f'  <summary class="button small">Add {label}</summary>\n'
            f'  <div class="add-slot"><a href="{text(url)}">Open the “Add {label}” form</a></div>\n'
            "</details>\n"
        )
    count = section_count(stage, kind.key, section.count, section.on_track)
    return (
        f'<div class="kind-section kind-{kind.key}">\n<h3>{text(plural)} {count}</h3>\n'
        f'<div class="groups groups-{len(groups)}">\n{lists}</div>\n{add}</div>\n'
    )


def _guidance(stage: StagePage, audience_label: str) -> str:
    several = len(stage.presets) > 1
    advice = "".join(
        f"<p>{f'<strong>{text(audience.upper())}:</strong> ' if several else ''}"
        f"{text(preset.guidance)}</p>\n"
        for audience, preset in stage.presets
    )
    return (
        f'<details class="guidance">\n  <summary>Guidance for {text(audience_label)} plans</summary>\n'
        f'  <div class="guidance-body{" grid-2" if several else ""}">\n{advice}  </div>\n'
        "</details>\n"
    )


def stage_section(stage: StagePage, page: RowPage, urls: StageUrls) -> str:
    plan, key, label = page.plan, text(stage.stage.value), text(stage.stage.label)
    aim = stage.presets and f'<p class="muted stage-aim">{text(stage.presets[0][1].aim)}</p>\n'
    if stage.form is not None:
        notes = notes_form(stage.form, stage.worksheet, urls, page.csrf_field)
    else:
        notes = _notes_for_readers(stage.worksheet)
    sections = "".join(_section(section, key, page, urls) for section in stage.sections)
    # The Collapse button is shown by worksheet.js, which keeps each plan's collapsed stages in
    # localStorage.
    return (
        f'<section class="stage card stage-border-{key}" id="stage-{key}" '
        f'aria-labelledby="stage-{key}-title">\n'
        '<header class="stage-head">\n<div class="stage-title">\n'
        f'<h2 id="stage-{key}-title">{label}</h2>\n'
        f'<button type="button" class="button small stage-toggle" aria-expanded="true" '
        f'aria-controls="stage-{key}-body" data-plan="{plan.pk}" hidden>Collapse'
        f'<span class="visually-hidden"> {label}</span></button>\n'
        f"</div>\n{aim or ''}</header>\n"
        f'<div class="stage-body" id="stage-{key}-body">\n'
        f"{_guidance(stage, plan.get_audience_display())}{notes}{sections}</div>\n</section>\n"
    )
