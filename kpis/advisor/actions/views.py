"""The 90-day plan page of a plan, and its one-click "Add to plan"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kpis.advisor.actions import adding
from kpis.advisor.actions.forms import AddActionForm
from kpis.advisor.actions.page import improve_page
from plans import access
from race_planner.http import AuthedRequest

PAGE = "kpis/advisor/actions/improve.html"


@require_GET
def improve(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    page = improve_page(plan, timezone.localdate())
    context = {"plan": plan, "page": page, "can_edit": access.can_edit(plan)}
    return TemplateResponse(request, PAGE, context)


@require_POST
def add_action(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    form = AddActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect("kpis-improve", plan.pk)
    try:
        added = adding.add_action(
            plan, form.library_action(), user=request.user, today=timezone.localdate()
        )
    except adding.CannotAdd as refusal:
        messages.error(request, str(refusal))
        return redirect("kpis-improve", plan.pk)
    messages.success(request, adding.confirmation(added))
    return redirect("kpis-improve", plan.pk)
