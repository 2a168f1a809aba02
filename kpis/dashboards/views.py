"""Dashboards and the reverse funnel calculator: pages that read and change nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kpis.dashboards import cache
from kpis.dashboards.forms import DashboardFilterForm, PortfolioFilterForm, ReverseCalculatorForm
from kpis.dashboards.funnel import ReverseResult, reverse_funnel
from kpis.dashboards.portfolio_html import table_rows
from kpis.dashboards.progress import Status
from kpis.dashboards.snapshot import portfolio
from kpis.dashboards.status_query import with_status
from plans import access
from plans.models import Plan
from plans.quarters import Quarter
from race_planner.forms import form_fields
from race_planner.htmx import for_htmx
from race_planner.http import AuthedRequest, HtmxRequest

PLANS_PER_PAGE = 25


def dashboard_context(request: HtmxRequest, plan: Plan, *, add_url: str | None) -> dict[str, Any]:
    """The plan dashboard for the period and audience the request asks: its filter form and
    board (kept between views until the plan changes: cache.py). Members' page and share
    links' (`sharing.views`) are built by this one function."""
    form = DashboardFilterForm(
        request.GET or None,
        plan=plan,
        initial={"start": plan.period_start, "end": plan.period_end},
    )
    start, end, audience = form.period()
    board = cache.dashboard(plan, start=start, end=end, audience=audience, add_url=add_url)
    return {"plan": plan, "form": form, "filter_fields": form_fields(form), "board": board}


@require_GET
@for_htmx(use_partial="body")
def dashboard(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    can_edit = access.can_edit(plan)
    add_url = reverse("kpis-check-in", args=[plan.pk]) if can_edit else None
    context = {
        **dashboard_context(request, plan, add_url=add_url),
        "can_edit": can_edit,
        "dashboard_url": reverse("kpis-dashboard", args=[plan.pk]),
        "review_url": reverse("kpis-review", args=[plan.pk]),
    }
    return TemplateResponse(request, "kpis/dashboard.html", context)


@require_GET
@for_htmx(use_partial="results")
def portfolio_dashboard(request: AuthedRequest) -> TemplateResponse:
    visible = access.visible_plans(request.user).select_related("workspace")
    # A row per start day, not per plan; `dates()` would call a Python function per plan on SQLite.
    starts = visible.order_by().values_list("period_start", flat=True).distinct()
    form = PortfolioFilterForm(
        request.GET or None,
        workspaces=access.workspaces_for(request.user),
        quarters=sorted({Quarter.containing(day) for day in starts}, key=lambda q: q.start)[::-1],
    )
    plans = form.filter(visible.order_by("workspace__name", "-period_start", "name"))
    today = timezone.localdate()
    if form.kpi_status:  # computed in the database, so only the page shown is read
        plans = with_status(plans, Status(form.kpi_status), today=today)
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = portfolio(list(page.object_list), today=today)
    context = {"form": form, "filter_fields": form_fields(form), "page": page, "rows": rows}
    context["table_rows"] = table_rows(rows)
    context["query"] = query.urlencode()
    return TemplateResponse(request, "kpis/portfolio.html", context)


@require_GET
@for_htmx(use_partial="result")
def reverse_calculator(request: AuthedRequest) -> TemplateResponse:
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
    assumed = form.assumed(request.GET.getlist("assumed"))
    context = {"form": form, "result": result, "assumed": assumed}
    return TemplateResponse(request, "kpis/reverse_calculator.html", context)
