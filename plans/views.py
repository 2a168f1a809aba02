"""Pages of the planning side: the plan list, new plans, the worksheet and its htmx fragments."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from plans import access, history, planning
from plans.content import load_stages
from plans.forms import PlanCreateForm, PlanSettingsForm, WorksheetForm
from plans.models import KPI, Plan, PlanStatus, Stage, StageWorksheet
from plans.versioning import save_if_unchanged
from plans.worksheet import (
    KINDS,
    ItemKind,
    build_sections,
    choices_for,
    conflict_rows,
    group_of,
    item_form,
    stage_counts,
    worksheet_form,
)
from race_planner.http import HtmxHttpRequest

PLANS_PER_PAGE = 25
WORKSHEET = "plans/plan_detail.html"
CHANGES_PER_PAGE = 50
PARTS = "plans/worksheet_parts.html"


@require_GET
@login_required
def plan_list(request: HtmxHttpRequest) -> HttpResponse:
    plans = (
        access.visible_plans(request.user)
        .select_related("workspace")
        .order_by("workspace__name", "-period_start", "name")
    )
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    can_create = access.workspaces_for(request.user, writable=True).exists()
    return render(request, "plans/plan_list.html", {"page": page, "can_create": can_create})


# --------------------------------------------------------------------------------------------
# New plan, settings, delete, roll forward
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request: HtmxHttpRequest) -> HttpResponse:
    workspaces = list(access.workspaces_for(request.user, writable=True))
    if not workspaces:
        raise PermissionDenied("You can read plans but not create them")
    today = timezone.localdate()
    if request.method == "POST" and "refresh" not in request.POST:
        form = PlanCreateForm(request.POST, workspaces=workspaces, today=today)
        if form.is_valid():
            plan = planning.create_plan(created_by=request.user, **form.plan_kwargs())  # type: ignore[arg-type]
            messages.success(request, f"Plan “{plan.name}” created. Fill in each stage below.")
            return redirect("plans-detail", plan.pk)
    else:
        # First visit, or "Show suggestions" after choosing an audience: nothing is checked yet.
        form = PlanCreateForm(workspaces=workspaces, today=today, initial=request.POST or None)
    context = {"form": form}
    if request.htmx and "refresh" in request.POST:
        return render(request, "plans/plan_create.html#preset-picker", context)
    return render(request, "plans/plan_create.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def plan_settings(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id, archived_ok=True)
    conflict: list[tuple[str, str]] = []
    conflicted = False
    if request.method == "POST" and "archive" in request.POST:
        plan.status = PlanStatus.ARCHIVED
        version = request.POST.get("version", "")
        expected = int(version) if version.isdigit() else 0
        if save_if_unchanged(plan, expected_version=expected, fields=["status"]):
            messages.success(
                request,
                f"“{plan.name}” is archived and read-only now; Plan settings can reopen it.",
            )
            return redirect("plans-detail", plan.pk)
        messages.error(request, "Not archived: the plan changed meanwhile. Check it and try again.")
        return redirect("plans-settings", plan.pk)
    if request.method == "POST":
        current = copy.copy(plan)
        form = PlanSettingsForm(request.POST, instance=plan)
        if form.is_valid():
            if save_if_unchanged(
                form.instance, expected_version=form.expected_version, fields=form.model_fields()
            ):
                messages.success(request, "Plan settings saved.")
                return redirect("plans-detail", plan.pk)
            current.refresh_from_db()
            conflict, conflicted = conflict_rows(current, form), True
            form = PlanSettingsForm(request.POST, instance=current)
            form.show_current_version(current.version)
            form.full_clean()
    else:
        form = PlanSettingsForm(instance=plan)
    context = {
        "plan": plan,
        "form": form,
        "conflict": conflict,
        "conflicted": conflicted,
        "is_admin": access.member_role(plan) == "admin",
    }
    return render(request, "plans/plan_settings.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def plan_delete(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_admin(request.user, plan_id)
    if request.method == "POST":
        name = plan.name
        plan.delete()
        messages.success(request, f"Plan “{name}” and everything in it were deleted.")
        return redirect("plans-list")
    # KPIs deleted from the worksheet could still be restored: they go for good too, so count them.
    counts = KPI.with_deleted.filter(plan=plan).aggregate(
        measurements=Count("measurements"),
        deleted_kpis=Count("id", filter=Q(deleted_at__isnull=False), distinct=True),
    )
    context = {
        "plan": plan,
        "objectives": plan.objectives.count(),
        "tactics": plan.tactics.count(),
        "kpis": plan.kpis.count(),
        "deleted_kpis": counts["deleted_kpis"],
        "measurements": counts["measurements"],
    }
    return render(request, "plans/plan_delete.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def plan_roll_forward(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id, archived_ok=True)
    start, end = planning.next_period(plan.period_start, plan.period_end)
    if request.method == "POST":
        new = planning.roll_forward(plan, user=request.user)  # type: ignore[arg-type]
        messages.success(
            request,
            f"“{new.name}” started from “{plan.name}”: KPI baselines are the last actuals.",
        )
        return redirect("plans-detail", new.pk)
    context = {"plan": plan, "start": start, "end": end}
    return render(request, "plans/plan_roll_forward.html", context)


@require_GET
@login_required
def plan_history(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    changes = history.plan_changes(plan)
    page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "page": page,
        "truncated": len(changes) == history.MAX_CHANGES,
        "can_edit": access.can_edit(plan),
    }
    return render(request, "plans/plan_history.html", context)


@require_POST
@login_required
def history_restore(
    request: HtmxHttpRequest, plan_id: int, kind: str, history_id: int
) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    try:
        item = history.restore(plan, kind, history_id)
    except LookupError:
        raise Http404("No such deleted item") from None
    except history.RestoreError as error:
        messages.error(request, f"Not restored: {error}")
        return redirect("plans-history", plan.pk)
    messages.success(request, f"Restored “{item}” in {item.get_stage_display()}.")  # type: ignore[attr-defined]
    return redirect(f"{reverse('plans-detail', args=[plan.pk])}#{kind}-{item.pk}")


# --------------------------------------------------------------------------------------------
# The worksheet page and its fragments
# --------------------------------------------------------------------------------------------


@require_GET
@login_required
def plan_detail(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    can_edit = access.can_edit(plan)
    stages = load_stages(plan)
    for content in stages:
        content.sections = build_sections(plan, content)  # type: ignore[attr-defined]
        content.form = worksheet_form(content) if can_edit else None  # type: ignore[attr-defined]
    nav = [(content.stage, content.item_count) for content in stages]
    context = {
        "plan": plan,
        "stages": stages,
        "can_edit": can_edit,
        "is_writer": access.is_writer(plan),
        "nav": nav,
    }
    return render(request, WORKSHEET, context)


@require_GET
@login_required
def stage_nav(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    return render(request, f"{PARTS}#stage-nav", {"plan": plan, "nav": stage_counts(plan)})


def _stage_url(plan: Plan, stage: str) -> str:
    return f"{reverse('plans-detail', args=[plan.pk])}#stage-{stage}"


@require_POST
@login_required
def worksheet_update(request: HtmxHttpRequest, plan_id: int, worksheet_id: int) -> HttpResponse:
    worksheet = access.item_for_editor(
        request.user, StageWorksheet.objects.select_related("primary_kpi"), plan_id, worksheet_id
    )
    plan = worksheet.plan
    kpis = list(plan.kpis.filter(stage=worksheet.stage))
    before = copy.copy(
        worksheet
    )  # the row as loaded; the form writes the user's input into `worksheet`
    form = WorksheetForm(
        request.POST, instance=worksheet, kpis=kpis, prefix=f"ws-{worksheet.stage}"
    )
    conflict: list[tuple[str, str]] = []
    conflicted = False
    if form.is_valid():
        if save_if_unchanged(
            worksheet, expected_version=form.expected_version, fields=form.model_fields()
        ):
            if not request.htmx:
                messages.success(request, f"{worksheet.get_stage_display()} worksheet saved.")
                return redirect(_stage_url(plan, worksheet.stage))
            context = {"form": form, "worksheet": worksheet, "saved_at": timezone.localtime()}
            return render(request, f"{PARTS}#worksheet-state", context)
        if before.version == form.expected_version:  # lost a race: read the row that won
            _read_again(before)
        conflict, conflicted = conflict_rows(before, form), True
        form = WorksheetForm(
            request.POST, instance=before, kpis=kpis, prefix=f"ws-{worksheet.stage}"
        )
        form.show_current_version(before.version)
        form.full_clean()
    context = {
        "plan": plan,
        "form": form,
        "worksheet": before,
        "conflict": conflict,
        "conflicted": conflicted,
        "can_edit": True,
    }
    if not request.htmx:
        return render(request, "plans/worksheet_page.html", context)
    response = render(request, f"{PARTS}#worksheet-form", context)
    return reswap(retarget(response, f"#ws-form-{worksheet.stage}"), "outerHTML")


@require_GET
@login_required
def primary_kpi_field(request: HtmxHttpRequest, plan_id: int, worksheet_id: int) -> HttpResponse:
    worksheet = access.item_for_editor(
        request.user, StageWorksheet.objects.all(), plan_id, worksheet_id
    )
    kpis = list(worksheet.plan.kpis.filter(stage=worksheet.stage))
    form = WorksheetForm(instance=worksheet, kpis=kpis, prefix=f"ws-{worksheet.stage}")
    return render(request, f"{PARTS}#primary-kpi", {"form": form, "worksheet": worksheet})


def _kind(kind: str) -> ItemKind:
    if kind not in KINDS:
        raise Http404("No such kind of item")
    return KINDS[kind]


def _editable_item(
    request: HtmxHttpRequest, plan_id: int, kind: str, item_id: int
) -> tuple[ItemKind, Any]:
    """The kind and the row, for someone who may change it (404 / 403 otherwise), one query."""
    item_kind = _kind(kind)
    return item_kind, access.item_for_editor(
        request.user, item_kind.queryset(None), plan_id, item_id
    )


def _item_events(response: HttpResponse, kind: str, stage: str) -> HttpResponse:
    """Tell the other panels: the stage counts changed; a stage's KPI list changed."""
    trigger_client_event(response, "itemsChanged", {"stage": stage})
    if kind == "kpi":
        trigger_client_event(response, f"kpisChanged-{stage}")
    return response


def _item_page(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The same form as a page of its own, for browsers without JavaScript."""
    return render(request, "plans/item_page.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def item_create(request: HtmxHttpRequest, plan_id: int, stage: str, kind: str) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    item_kind = _kind(kind)
    if stage not in Stage.values:
        raise Http404("No such stage")
    choices = choices_for(plan, kind, stage)
    hint = request.GET.get("position", "")
    position = int(hint) if hint.isdigit() else None
    form = item_form(plan, kind, stage, request.POST or None, choices=choices, position=position)
    context: dict[str, Any] = {"plan": plan, "form": form, "kind": item_kind, "stage": stage}
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        item.plan, item.stage = plan, stage
        item.position = form.cleaned_data.get("position") or 0
        item.save()
        if not request.htmx:
            messages.success(
                request, f"{item_kind.title} “{item}” added to {item.get_stage_display()}."
            )
            return redirect(f"{_stage_url(plan, stage)}")
        fresh = item_form(plan, kind, stage, None, choices=choices, position=item.position + 1)
        context |= {
            "item": item,
            "fresh_form": fresh,
            "group": group_of(plan, item),
            "can_edit": True,
        }
        response = render(request, f"{PARTS}#item-created", context)
        target = f"#list-{stage}-{kind}-{group_of(plan, item)}"
        return _item_events(reswap(retarget(response, target), "beforeend"), kind, stage)
    if request.htmx:
        return render(request, f"{PARTS}#item-add-form", context)
    return _item_page(request, context)


@require_GET
@login_required
def item_row(request: HtmxHttpRequest, plan_id: int, kind: str, item_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    item_kind = _kind(kind)
    item = item_kind.queryset(plan).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item")
    context = {"plan": plan, "item": item, "kind": item_kind, "can_edit": access.can_edit(plan)}
    return render(request, f"{PARTS}#item-row", context)


@require_http_methods(["GET", "POST"])
@login_required
def item_update(request: HtmxHttpRequest, plan_id: int, kind: str, item_id: int) -> HttpResponse:
    item_kind, item = _editable_item(request, plan_id, kind, item_id)
    plan = item.plan
    before = item_kind.copy(item)
    choices = choices_for(plan, kind, item.stage)
    form = item_form(plan, kind, item.stage, request.POST or None, choices=choices, instance=item)
    context: dict[str, Any] = {
        "plan": plan,
        "kind": item_kind,
        "stage": item.stage,
        "can_edit": True,
    }
    if request.method == "POST" and form.is_valid():
        old_group = group_of(plan, before)
        if save_if_unchanged(
            item, expected_version=form.expected_version, fields=form.model_fields()
        ):
            if not request.htmx:
                messages.success(request, f"{item_kind.title} “{item}” saved.")
                return redirect(f"{reverse('plans-detail', args=[plan.pk])}#{kind}-{item.pk}")
            context |= {"item": item, "saved": True}
            if group_of(plan, item) != old_group:  # moved to the other audience's list
                context["move_to"] = f"#list-{item.stage}-{kind}-{group_of(plan, item)}"
                return _item_events(
                    render(request, f"{PARTS}#item-moved", context), kind, item.stage
                )
            return _item_events(render(request, f"{PARTS}#item-row", context), kind, item.stage)
        if before.version == form.expected_version:  # lost a race: read the row that won
            _read_again(before)
        context |= {"conflict": conflict_rows(before, form), "conflicted": True}
        form = item_form(plan, kind, item.stage, request.POST, choices=choices, instance=before)
        form.show_current_version(before.version)
        form.full_clean()
        item = before
    context |= {"item": item, "form": form}
    if request.htmx:
        return render(request, f"{PARTS}#item-edit", context)
    return _item_page(request, context)


def _read_again(row: Any) -> None:
    """The row as the save that won left it; 404 when that was a delete."""
    try:
        row.refresh_from_db()
    except ObjectDoesNotExist:
        raise Http404("It was deleted meanwhile") from None
    if getattr(row, "deleted_at", None):
        raise Http404("It was deleted meanwhile")


@require_http_methods(["GET", "POST"])
@login_required
def item_delete(request: HtmxHttpRequest, plan_id: int, kind: str, item_id: int) -> HttpResponse:
    item_kind, item = _editable_item(request, plan_id, kind, item_id)
    plan = item.plan
    if request.method == "POST":
        stage, label = item.stage, str(item)
        history.delete_item(item)
        if not request.htmx:
            messages.success(
                request, f"{item_kind.title} “{label}” deleted. The plan history can restore it."
            )
            return redirect(_stage_url(plan, stage))
        return _item_events(HttpResponse(""), kind, stage)
    context = {"plan": plan, "item": item, "kind": item_kind, "can_edit": True}
    if kind == "kpi":
        context["funnel_volume"] = plan.worksheets.filter(primary_kpi=item).exists()
    if request.htmx:
        return render(request, f"{PARTS}#item-delete", context)
    return render(request, "plans/item_delete.html", context)


@require_POST
@login_required
def item_move(request: HtmxHttpRequest, plan_id: int, kind: str, item_id: int) -> HttpResponse:
    """Up or down within its list, or over to the other audience's list."""
    item_kind, item = _editable_item(request, plan_id, kind, item_id)
    plan = item.plan
    audience = request.POST.get("audience", "")
    direction = request.POST.get("direction", "")
    if audience:
        if audience not in plan.audiences and audience != "all":
            return HttpResponse("Unknown audience", status=400)
        old_group = group_of(plan, item)
        item.audience = audience
        if not save_if_unchanged(item, expected_version=item.version, fields=["audience"]):
            raise Http404("The item changed while moving it; reload the page")
        new_group = group_of(plan, item)
        groups = [old_group, new_group]
    elif direction in {"up", "down"}:
        item_kind.move(item, up=direction == "up", plan=plan)
        groups = [group_of(plan, item)]
    else:
        return HttpResponse("Say which way to move", status=400)
    if not request.htmx:
        return redirect(f"{reverse('plans-detail', args=[plan.pk])}#{kind}-{item.pk}")
    lists = item_kind.group_lists(plan, item.stage, groups)
    context = {
        "plan": plan,
        "kind": item_kind,
        "stage": item.stage,
        "lists": lists,
        "can_edit": True,
    }
    response = render(request, f"{PARTS}#item-lists-oob", context)
    return reswap(response, "none")
