"""The quarterly review PDF on the web: an options page and the PDF itself."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from kpis.review import export as review
from kpis.review.forms import ReviewOptionsForm
from plans import access
from plans.models import Plan
from race_planner.htmx import for_htmx
from race_planner.http import AuthedRequest

logger = logging.getLogger(__name__)


def _options_page(
    request: AuthedRequest,
    plan: Plan,
    form: ReviewOptionsForm,
    *,
    error: str = "",
    status: int = 200,
) -> TemplateResponse:
    context = {"plan": plan, "form": form, "error": error}
    return TemplateResponse(request, "kpis/review/options.html", context, status=status)


@require_GET
@for_htmx(use_partial="options")
def review_options(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    # Links from the dashboard carry its filters (start, end, audience) as the starting point.
    initial: dict[str, object] = {
        name: request.GET[name]
        for name in ("start", "end", "audience", "paper")
        if request.GET.get(name)
    }
    if request.GET.getlist("stages"):
        initial["stages"] = request.GET.getlist("stages")
    return _options_page(request, plan, ReviewOptionsForm(plan=plan, initial=initial))


@require_GET
@for_htmx(use_partial="options")
def review_pdf(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """The PDF; the options page with what is wrong when the options or the export fail."""
    plan = access.plan_for_viewer(request.user, plan_id)
    form = ReviewOptionsForm(request.GET, plan=plan)
    if not form.is_valid():
        # htmx only swaps 2xx; a plain request gets a 400 with the same page.
        return _options_page(request, plan, form, status=200 if request.htmx else 400)
    try:
        result = review.export_review(plan, form.options())
    except review.ReviewError as error:
        logger.warning("Review PDF of plan %s not made: %s", plan.pk, error)
        return _options_page(request, plan, form, error=str(error), status=503)
    response = HttpResponse(result.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["X-Review-Pages"] = str(result.pages)
    return response
