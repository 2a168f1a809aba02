"""The worksheet page and the fragments htmx swaps into it: stage notes, objectives, tactics, KPIs.

Every form works as a plain POST too (a page of its own, then a redirect back to the worksheet);
htmx swaps just the part that changed. After a change the response triggers `itemsChanged`, and
the stage navigation's refresh brings every section count along as out-of-band swaps.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from plans import access, extensions, history, versioning
from plans.models import Plan, Stage, StageWorksheet
from plans.worksheet import cache
from plans.worksheet.rows import (
    KINDS,
    Item,
    add_item,
    choices_for,
    edit_form_for,
    group_of,
    item_form,
    item_kind_of,
    stage_counts,
    stage_notes_form,
)
from race_planner.forms import whole_number
from race_planner.htmx import Fragment, for_htmx
from race_planner.http import AuthedRequest

WORKSHEET = "plans/worksheet.html"
STAGE_NOTES = "plans/worksheet_page.html"
ITEM_FORM = "plans/item_page.html"
ITEM_DELETE = "plans/item_delete.html"


def _context(plan: Plan, **extra: Any) -> dict[str, Any]:
    return {"plan": plan, "can_edit": access.can_edit(plan), **extra}


def _stage(stage: str) -> str:
    if stage not in Stage.values:
        raise Http404("No such stage")
    return stage


def _item_url(plan: Plan, anchor: str) -> str:
    return f"{reverse('plans-detail', args=[plan.pk])}#{anchor}"


def _changed(response: HttpResponse, item: Item) -> HttpResponse:
    """Tell the other panels: the counts changed (stage navigation); a stage's KPIs changed."""
    trigger_client_event(response, "itemsChanged", {"stage": item.stage})
    if item_kind_of(item).key == "kpi":
        trigger_client_event(response, f"kpisChanged-{item.stage}")
    return response


@require_GET
def plan_detail(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    sections = cache.stage_sections(plan, can_edit=access.can_edit(plan))  # kept until changed
    context = _context(
        plan,
        sections=sections,
        nav=sections.nav,
        is_writer=access.is_writer(plan),
        plan_links=extensions.plan_links(plan),
    )
    return TemplateResponse(request, WORKSHEET, context)


@require_GET
def stage_nav(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    nav, section_counts = stage_counts(plan, extensions.kpi_readings(plan))
    context = {"plan": plan, "nav": nav, "section_counts": section_counts}
    return Fragment(request, WORKSHEET, "stage-nav", context)


@require_POST
@for_htmx(use_partial="worksheet-form")
def worksheet_update(request: AuthedRequest, plan_id: int, worksheet_id: int) -> HttpResponse:
    worksheets = StageWorksheet.objects.select_related("primary_kpi")
    worksheet = access.item_for_editor(request.user, worksheets, plan_id, worksheet_id)
    plan, kpis = worksheet.plan, list(worksheet.plan.kpis.filter(stage=worksheet.stage))
    outcome = versioning.edit(
        worksheet, lambda data, row: stage_notes_form(row, data, kpis=kpis), request.POST
    )
    context = _context(plan, worksheet=outcome.row, **outcome.context)
    if outcome.saved and not request.htmx:
        messages.success(request, f"{worksheet.get_stage_display()} worksheet saved.")
        return redirect(_item_url(plan, f"stage-{worksheet.stage}"))
    if outcome.saved:
        context["saved_at"] = timezone.localtime()
        return Fragment(request, STAGE_NOTES, "worksheet-state", context)
    response = TemplateResponse(request, STAGE_NOTES, context)
    return reswap(retarget(response, f"#ws-form-{worksheet.stage}"), "outerHTML")


@require_GET
def primary_kpi_field(request: AuthedRequest, plan_id: int, worksheet_id: int) -> TemplateResponse:
    worksheets = StageWorksheet.objects.all()
    worksheet = access.item_for_editor(request.user, worksheets, plan_id, worksheet_id)
    kpis = list(worksheet.plan.kpis.filter(stage=worksheet.stage))
    context = {"form": stage_notes_form(worksheet, kpis=kpis), "worksheet": worksheet}
    return Fragment(request, STAGE_NOTES, "primary-kpi", context)


@require_http_methods(["GET", "POST"])
@for_htmx(use_partial="item-add-form")
def item_create(request: AuthedRequest, plan_id: int, stage: str, kind: str) -> HttpResponse:
    plan, item_kind = access.plan_for_editor(request.user, plan_id), KINDS[kind]
    choices = choices_for(plan, kind, _stage(stage))
    position = whole_number(request.GET.get("position", ""))
    form = item_form(plan, kind, stage, request.POST or None, choices=choices, position=position)
    context = _context(plan, form=form, kind=item_kind, stage=stage)
    item = add_item(form, plan, stage) if request.method == "POST" and form.is_valid() else None
    if item is None:
        return TemplateResponse(request, ITEM_FORM, context)
    if not request.htmx:
        messages.success(
            request, f"{item_kind.title} “{item}” added to {item.get_stage_display()}."
        )
        return redirect(_item_url(plan, f"stage-{stage}"))
    fresh = item_form(plan, kind, stage, choices=choices, position=item.position + 1)
    response = Fragment(
        request, WORKSHEET, "item-created", context | {"item": item, "fresh_form": fresh}
    )
    target = f"#list-{stage}-{kind}-{group_of(plan, item)}"
    return _changed(reswap(retarget(response, target), "beforeend"), item)


@require_GET
def item_row(request: AuthedRequest, plan_id: int, kind: str, item_id: int) -> TemplateResponse:
    plan, item_kind = access.plan_for_viewer(request.user, plan_id), KINDS[kind]
    item = item_kind.queryset(plan).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item")
    return Fragment(request, WORKSHEET, "item-row", _context(plan, item=item, kind=item_kind))


def _editable_item(request: AuthedRequest, plan_id: int, kind: str, item_id: int) -> Any:
    """The row, for someone who may change it (404 / 403 otherwise), one query."""
    return access.item_for_editor(request.user, KINDS[kind].queryset(None), plan_id, item_id)


@require_http_methods(["GET", "POST"])
@for_htmx(use_partial="item-edit")
def item_update(request: AuthedRequest, plan_id: int, kind: str, item_id: int) -> HttpResponse:
    item = _editable_item(request, plan_id, kind, item_id)
    plan, make_form = item.plan, edit_form_for(item.plan, item)
    context = _context(plan, kind=KINDS[kind], stage=item.stage)
    if request.method == "GET":
        return TemplateResponse(
            request, ITEM_FORM, context | {"item": item, "form": make_form(None, item)}
        )
    old_group, old_name = group_of(plan, item), getattr(item, "name", None)
    outcome = versioning.edit(item, make_form, request.POST)
    if not outcome.saved:
        return TemplateResponse(
            request, ITEM_FORM, context | {"item": outcome.row, **outcome.context}
        )
    if not request.htmx:
        messages.success(request, f"{KINDS[kind].title} “{item}” saved.")
        return redirect(_item_url(plan, f"{kind}-{item.pk}"))
    renamed = getattr(item, "measures", False) and item.name != old_name
    moved = group_of(plan, item) != old_group  # to the other audience's list
    context |= {"item": item, "saved": True, "kpi_links": "renamed" if renamed else ""}
    context["move_to"] = f"#list-{item.stage}-{kind}-{group_of(plan, item)}" if moved else ""
    return _changed(Fragment(request, WORKSHEET, "item-saved", context), item)


@require_http_methods(["GET", "POST"])
@for_htmx(use_partial="item-delete")
def item_delete(request: AuthedRequest, plan_id: int, kind: str, item_id: int) -> HttpResponse:
    item = _editable_item(request, plan_id, kind, item_id)
    plan, item_kind = item.plan, KINDS[kind]
    context = _context(plan, item=item, kind=item_kind)
    if request.method == "GET":
        if kind == "kpi":
            context["funnel_volume"] = plan.worksheets.filter(primary_kpi=item).exists()
        return TemplateResponse(request, ITEM_DELETE, context)
    history.delete_item(item)
    if not request.htmx:
        restore = "The plan history can restore it."
        messages.success(request, f"{item_kind.title} “{item}” deleted. {restore}")
        return redirect(_item_url(plan, f"stage-{item.stage}"))
    context["kpi_links"] = "deleted" if getattr(item, "measures", False) else ""
    return _changed(Fragment(request, WORKSHEET, "item-deleted", context), item)


@require_POST
def item_move(request: AuthedRequest, plan_id: int, kind: str, item_id: int) -> HttpResponse:
    """Up or down within its list, or over to the other audience's list."""
    item = _editable_item(request, plan_id, kind, item_id)
    plan, item_kind = item.plan, KINDS[kind]
    audience, direction = request.POST.get("audience", ""), request.POST.get("direction", "")
    groups = [group_of(plan, item)]
    if audience and audience not in {*plan.audiences, "all"}:
        return HttpResponse("Unknown audience", status=400)
    if audience:
        item.audience = audience
        if not versioning.save_if_unchanged(
            item, expected_version=item.version, fields=["audience"]
        ):
            raise Http404("The item changed while moving it; reload the page")
        groups.append(group_of(plan, item))
    elif direction in {"up", "down"}:
        item_kind.move(item, up=direction == "up", plan=plan)
    else:
        return HttpResponse("Say which way to move", status=400)
    if not request.htmx:
        return redirect(_item_url(plan, f"{kind}-{item.pk}"))
    lists = item_kind.group_lists(plan, item.stage, groups)
    context = _context(plan, kind=item_kind, stage=item.stage, lists=lists)
    return reswap(Fragment(request, WORKSHEET, "item-lists-oob", context), "none")
