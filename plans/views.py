"""Pages about a plan as a whole: the list, a new plan, settings, delete, roll forward, history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plans import access, extensions, history, lifecycle, listing, listing_html, versioning
from plans.forms import PlanCreateForm, PlanSettingsForm
from plans.listing import plan_rows
from plans.models import Plan, PlanStatus
from plans.quarters import BeyondTheCalendar, next_period
from race_planner.forms import form_fields, whole_number
from race_planner.htmx import for_htmx
from race_planner.http import AuthedRequest

PLANS_PER_PAGE = 25


@require_GET
def plan_list(request: AuthedRequest) -> TemplateResponse:
    visible = listing.listed(access.visible_plans(request.user))
    form = listing.filters_for(request.GET or None, request.user)
    query = request.GET.copy()
    number = query.pop("page", [None])[-1]
    page, plans = listing.list_page(
        form.filter(visible), request.user, filtered=bool(query), number=number, size=PLANS_PER_PAGE
    )
    rows = plan_rows(plans, today=timezone.localdate())
    context = {
        "form": form,
        "filter_fields": form_fields(form),
        "page": page,
        "rows": rows,
        "table_rows": listing_html.table_rows(rows),
        "query": query.urlencode(),
        "can_create": listing.can_create(request.user),
    }
    return TemplateResponse(request, "plans/plan_list.html", context)


@require_http_methods(["GET", "POST"])
@for_htmx(use_partial="preset-picker")
def plan_create(request: AuthedRequest) -> HttpResponse:
    workspaces = list(access.workspaces_for(request.user, writable=True))
    if not workspaces:
        raise PermissionDenied("You can read plans but not create them")
    today = timezone.localdate()
    # "Show suggestions" after choosing an audience posts `refresh`: nothing is checked yet.
    if request.method == "POST" and "refresh" not in request.POST:
        form = PlanCreateForm(request.POST, workspaces=workspaces, today=today)
        if form.is_valid():
            plan = lifecycle.create_plan(created_by=request.user, **form.plan_kwargs())
            said = f"Plan “{plan.name}” created. Fill in each stage below."
            if plan.kpis.filter(preset_key__gt="").exists():
                said += " Suggested KPIs start with example baselines and targets: put in yours."
            messages.success(request, said)
            return redirect("plans-detail", plan.pk)
    else:
        form = PlanCreateForm(workspaces=workspaces, today=today, initial=request.POST or None)
    return TemplateResponse(request, "plans/plan_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
def plan_settings(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id, archived_ok=True)
    if request.method == "POST" and "archive" in request.POST:
        return _archive(request, plan)
    context = {"plan": plan, "is_admin": access.member_role(plan) == "admin"}
    if request.method == "GET":
        return TemplateResponse(
            request, "plans/plan_settings.html", context | {"form": PlanSettingsForm(instance=plan)}
        )
    outcome = versioning.edit(
        plan, lambda data, row: PlanSettingsForm(data, instance=row), request.POST
    )
    if outcome.saved:
        messages.success(request, "Plan settings saved.")
        return redirect("plans-detail", plan.pk)
    context |= {"plan": outcome.row, **outcome.context}
    return TemplateResponse(request, "plans/plan_settings.html", context)


def _archive(request: AuthedRequest, plan: Plan) -> HttpResponse:
    plan.status = PlanStatus.ARCHIVED
    expected = whole_number(request.POST.get("version", "")) or 0
    if versioning.save_if_unchanged(plan, expected_version=expected, fields=["status"]):
        messages.success(
            request, f"“{plan.name}” is archived and read-only now; Plan settings can reopen it."
        )
        return redirect("plans-detail", plan.pk)
    messages.error(request, "Not archived: the plan changed meanwhile. Check it and try again.")
    return redirect("plans-settings", plan.pk)


@require_http_methods(["GET", "POST"])
def plan_delete(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_admin(request.user, plan_id)
    if request.method == "POST":
        name = plan.name
        plan.delete()
        messages.success(request, f"Plan “{name}” and everything in it were deleted.")
        return redirect("plans-list")
    context = {"plan": plan, "goes_with_it": extensions.delete_summary(plan)}
    return TemplateResponse(request, "plans/plan_delete.html", context)


@require_http_methods(["GET", "POST"])
def plan_roll_forward(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id, archived_ok=True)
    try:
        start, end = next_period(plan.period_start, plan.period_end)
    except BeyondTheCalendar as error:
        messages.error(request, f"Not started: {error}")
        return redirect("plans-detail", plan.pk)
    if request.method == "POST":
        new = lifecycle.roll_forward(plan, user=request.user)
        messages.success(request, f"“{new.name}” started from “{plan.name}”.")
        return redirect("plans-detail", new.pk)
    context = {"plan": plan, "start": start, "end": end}
    return TemplateResponse(request, "plans/plan_roll_forward.html", context)


@require_GET
def plan_history(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    older = history.Position.from_token(request.GET.get("older", ""))
    newer = history.Position.from_token(request.GET.get("newer", ""))
    page = history.history_page(plan, start=older or newer, older=newer is None or bool(older))
    context = {"plan": plan, "page": page, "can_edit": access.can_edit(plan)}
    return TemplateResponse(request, "plans/plan_history.html", context)


@require_POST
def history_restore(
    request: AuthedRequest, plan_id: int, kind: str, history_id: int
) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    try:
        item = history.restore(plan, kind, history_id)
    except LookupError:
        raise Http404("No such deleted item") from None
    except history.RestoreError as error:
        messages.error(request, f"Not restored: {error}")
        return redirect("plans-history", plan.pk)
    messages.success(request, f"Restored “{item}” in {item.get_stage_display()}.")
    return redirect(f"{reverse('plans-detail', args=[plan.pk])}#{kind}-{item.pk}")
