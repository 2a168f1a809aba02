"""The worksheet's markup written in Python, for its templates:

- `{% item_row %}` and `{% item_list %}`: the row in the context (`item`, `kind`, `saved`) and
  the list of a `group` (plans/worksheet/row_html.py);
- `{% stage_sections %}`: every stage of the page (`sections`, kept by
  plans/worksheet/cache.py), `{% section_count section %}`: a kind's count in its heading, out
  of band (plans/worksheet/stage_html.py);
- `{% notes_form %}`, `{% notes_primary_kpi %}`, `{% notes_state %}`: a stage's notes
  (`form`, `worksheet`, and after a POST `conflicted`, `conflict`, `saved_at`).

What a page's rows and stages share (URLs, the CSRF field, the KPIs' readings) is worked out
once per render."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from plans.worksheet import stage_html
from plans.worksheet.row_html import RowPage, csrf_field
from plans.worksheet.row_html import item_list as list_html
from plans.worksheet.row_html import item_row as row_html
from plans.worksheet.rows import SectionCount

register = template.Library()
ROW_PAGE = "worksheet_row_page"  # where a render keeps what its rows share
STAGE_URLS = "worksheet_stage_urls"


def _page(context: template.Context) -> RowPage:
    page = context.render_context.get(ROW_PAGE)
    if page is None:
        page = RowPage.of(
            context["plan"],
            can_edit=bool(context.get("can_edit")),
            csrf_token=str(context.get("csrf_token") or ""),
            readings=context.get("kpi_readings"),  # the page reads them for its stage headings
        )
        context.render_context[ROW_PAGE] = page
    return page


def _urls(context: template.Context, plan_id: int) -> stage_html.StageUrls:
    urls = context.render_context.get(STAGE_URLS)
    if urls is None:
        urls = context.render_context[STAGE_URLS] = stage_html.StageUrls.of(plan_id)
    return urls


@register.simple_tag(takes_context=True)
def item_row(context: template.Context) -> SafeString:
    kind, saved = context["kind"], bool(context.get("saved"))
    return row_html(context["item"], kind.key, kind.label, _page(context), saved=saved)


@register.simple_tag(takes_context=True)
def item_list(context: template.Context) -> SafeString:
    group, page, oob = context["group"], _page(context), bool(context.get("oob"))
    return list_html(group.items, context["kind"], context["stage"], group, page, oob=oob)


@register.simple_tag(takes_context=True)
def stage_sections(context: template.Context) -> SafeString:
    """The page's `sections` (plans/worksheet/cache.py), with this reader's CSRF token."""
    return context["sections"].for_reader(str(context.get("csrf_token") or ""))


@register.simple_tag
def section_count(section: SectionCount) -> SafeString:
    """Out of band: the stage navigation's refresh brings every count along."""
    count = stage_html.section_count(
        section.stage, section.kind.key, section.count, section.on_track, oob=True
    )
    return mark_safe(count)


@register.simple_tag(takes_context=True)
def notes_form(context: template.Context) -> SafeString:
    form, worksheet, conflicted = context["form"], context["worksheet"], context.get("conflicted")
    conflict = ""
    if conflicted:  # rare: written by the include every conflicted form uses
        conflict = render_to_string(
            "conflict_inc.html", {"conflicted": True, "conflict": context.get("conflict")}
        )
    html = stage_html.notes_form(
        form,
        worksheet,
        _urls(context, worksheet.plan_id),
        csrf_field(str(context.get("csrf_token") or "")),
        conflict=conflict,
        saved_at=context.get("saved_at"),
        conflicted=bool(conflicted),
    )
    return mark_safe(html)


@register.simple_tag(takes_context=True)
def notes_primary_kpi(context: template.Context) -> SafeString:
    worksheet = context["worksheet"]
    urls = _urls(context, worksheet.plan_id)
    return mark_safe(stage_html.primary_kpi_field(context["form"], worksheet, urls))


@register.simple_tag(takes_context=True)
def notes_state(context: template.Context) -> SafeString:
    saved_at, conflicted = context.get("saved_at"), bool(context.get("conflicted"))
    html = stage_html.notes_state(
        context["form"], context["worksheet"], saved_at=saved_at, conflicted=conflicted
    )
    return mark_safe(html)
