"""Dashboards and the reverse funnel calculator: pages that read and change nothing."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpis.dashboard import build_dashboard
from kpis.forms import (
    DashboardFilterForm,
    PortfolioFilterForm,
    ReverseCalculatorForm,
    quarter_bounds,
    quarter_of,
)
from kpis.funnel import ReverseResult, reverse_funnel
from kpis.snapshot import plan_snapshot, portfolio
from plans import access
from race_planner.http import HtmxHttpRequest

PLANS_PER_PAGE = 25


def _partial(request: HtmxHttpRequest, template: str, name: str) -> str:
    """The page's fragment for an htmx swap, the whole page otherwise (or on history restore)."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{name}"
    return template


@require_GET
@login_required
def dashboard(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    form = DashboardFilterForm(
        request.GET or None,
        plan=plan,
        initial={"start": plan.period_start, "end": plan.period_end},
    )
    start, end, audience = form.period()
    board = build_dashboard(plan_snapshot(plan, start=start, end=end, audience=audience))
    context = {"plan": plan, "form": form, "board": board, "can_edit": access.can_edit(plan)}
    return render(request, _partial(request, "kpis/dashboard.html", "body"), context)


@require_GET
@login_required
def portfolio_dashboard(request: HtmxHttpRequest) -> HttpResponse:
    visible = access.visible_plans(request.user).select_related("workspace")
    quarters = sorted(
        {quarter_of(day) for day in visible.values_list("period_start", flat=True)}, reverse=True
    )
    form = PortfolioFilterForm(
        request.GET or None, workspaces=access.workspaces_for(request.user), quarters=quarters
    )
    plans = visible.order_by("workspace__name", "-period_start", "name")
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["workspace"]:
            plans = plans.filter(workspace=data["workspace"])
        if data["plan_status"]:
            plans = plans.filter(status=data["plan_status"])
        if data["quarter"]:
            first, last = quarter_bounds(data["quarter"])
            plans = plans.filter(period_start__lte=last, period_end__gte=first)
        status = data["status"]
    rows = portfolio(list(plans))
    if status:
        rows = [row for row in rows if row.status == status]
    page = Paginator(rows, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "total": len(rows)}
    return render(request, _partial(request, "kpis/portfolio.html", "results"), context)


@require_GET
@login_required
def reverse_calculator(request: HtmxHttpRequest) -> HttpResponse:
    form = ReverseCalculatorForm(request.GET or None)
    result: ReverseResult | None = None
    if form.is_valid():
        data = form.cleaned_data
        revenue_first = data["target_kind"] == "revenue"
        result = reverse_funnel(
            customers=None if revenue_first else data["customers"],
            revenue=data["revenue"] if revenue_first else None,
            average_order_value=data["average_order_value"] if revenue_first else None,
            lead_to_customer_rate=data["lead_to_customer"] / Decimal(100),
            visitor_to_lead_rate=data["visitor_to_lead"] / Decimal(100),
        )
    context = {"form": form, "result": result}
    return render(request, _partial(request, "kpis/reverse_calculator.html", "result"), context)
