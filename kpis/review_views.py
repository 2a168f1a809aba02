"""The quarterly review PDF on the web: an options page and the PDF itself."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpis import review
from kpis.review_forms import ReviewOptionsForm
from plans import access
from plans.models import Plan
from race_planner.http import HtmxHttpRequest

logger = logging.getLogger(__name__)


def _options_page(
    request: HtmxHttpRequest,
    plan: Plan,
    form: ReviewOptionsForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"plan": plan, "form": form, "error": error}
    template = "kpis/review/options.html#options" if request.htmx else "kpis/review/options.html"
    return render(request, template, context, status=status)


@require_GET
@login_required
def review_options(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
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
@login_required
def review_pdf(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
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
