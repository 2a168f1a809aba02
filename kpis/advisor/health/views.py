"""The plan health check's pages: the whole report, and the panel the worksheet and the plan
dashboard load after they are drawn (so their own queries and speed stay as they are)."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kpis.advisor.health.report import health_report
from kpis.advisor.health.score import explanation
from plans import access
from plans.models import Plan
from race_planner.htmx import Fragment
from race_planner.http import AuthedRequest

PAGE = "kpis/advisor/health/health.html"


def _context(plan: Plan) -> dict[str, object]:
    report = health_report(plan, today=timezone.localdate(), editable=access.can_edit(plan))
    return {"plan": plan, "report": report, "explanation": explanation()}


@require_GET
def health_page(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    return TemplateResponse(request, PAGE, _context(plan))


@require_GET
def health_panel(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    """Score and top findings, for a placeholder's `hx-get` (its plain link opens the page)."""
    plan = access.plan_for_viewer(request.user, plan_id)
    return Fragment(request, PAGE, "panel", _context(plan))
