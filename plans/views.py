"""Pages of the planning side."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from plans import access
from plans.content import load_stages
from race_planner.http import HtmxHttpRequest

PLANS_PER_PAGE = 25


@require_GET
@login_required
def plan_list(request: HtmxHttpRequest) -> HttpResponse:
    plans = (
        access.visible_plans(request.user)
        .select_related("workspace")
        .order_by("workspace__name", "-period_start", "name")
    )
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "plans/plan_list.html", {"page": page})


@require_GET
@login_required
def plan_detail(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    context = {"plan": plan, "stages": load_stages(plan), "can_edit": access.can_edit(plan)}
    return render(request, "plans/plan_detail.html", context)
