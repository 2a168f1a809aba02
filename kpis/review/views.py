"""The quarterly review PDF on the web: the options page, the export's progress and its file.

The Export PDF button and `/plans/<id>/review.pdf` start the export job, or join the identical
one, and answer at once; the Export slides button and `/plans/<id>/review.pptx` do the same
for the slides (the format is one of the export's options). Browsers go to the progress page,
which polls itself (htmx, or a meta refresh without JavaScript) until the download link or the
error shows. Scripts asking review.pdf (.pptx) get the file when it is stored, else 202 with
`Retry-After` and a `Location` to ask (README). Every step checks access to the plan again,
the download included.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from kpis.models import ExportState, ReviewExport
from kpis.review import jobs
from kpis.review.forms import ReviewOptionsForm
from plans import access
from plans.models import Plan
from race_planner.htmx import Fragment, for_htmx
from race_planner.http import AuthedRequest, HtmxRequest

EXPORT_PAGE = "kpis/review/export.html"


def _options_page(
    request: AuthedRequest,
    plan: Plan,
    form: ReviewOptionsForm,
    *,
    status: int = 200,
) -> TemplateResponse:
    context = {"plan": plan, "form": form}
    return TemplateResponse(request, "kpis/review/options.html", context, status=status)


def _urls(export: ReviewExport) -> dict[str, str]:
    """The links of a member's progress panel; a share link's panel has its own (`sharing`)."""
    ids = {"plan_id": export.plan_id, "export_id": export.pk}
    slides = jobs.format_of(export) == "pptx"
    return {
        "progress_url": reverse("kpis-review-export", kwargs=ids),
        "download_url": reverse(
            "kpis-review-download-slides" if slides else "kpis-review-download", kwargs=ids
        ),
        "start_url": reverse(
            "kpis-review-slides" if slides else "kpis-review-pdf", args=[export.plan_id]
        ),
        "options_url": reverse("kpis-review", args=[export.plan_id]),
        "back_url": reverse("plans-detail", args=[export.plan_id]),
        "back_label": "Back to the plan",
    }


def progress_context(plan: Plan, export: ReviewExport, urls: dict[str, str]) -> dict[str, Any]:
    """The progress panel's context, for members and share links alike."""
    options = jobs.options_from_json(export.options)
    return {
        "plan": plan,
        "slides": options.format == "pptx",
        "progress": jobs.progress(export),
        "options_text": jobs.describe_options(plan, options),
        "query": jobs.options_query(options),
        **urls,
    }


def _for_browser(request: HtmxRequest, export: ReviewExport) -> bool:
    """A browser asks for pages (Accept: text/html …); a script for the file or anything."""
    content_type = jobs.CONTENT_TYPES[jobs.format_of(export)]
    return request.get_preferred_type([content_type, "text/html"]) == "text/html"


def _file_response(export: ReviewExport) -> HttpResponse | None:
    stored = jobs.stored_file(export)
    if stored is None:
        return None  # the file has gone: the export is queued again
    content_type = jobs.CONTENT_TYPES[jobs.format_of(export)]
    with stored:  # a review is a few hundred KB: read at once, like the PDF made in place was
        response = HttpResponse(stored.read(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Review-Pages"] = str(export.pages)
    response["Cache-Control"] = "private, no-cache"
    return response


def _not_ready(request: HtmxRequest, export: ReviewExport, urls: dict[str, str]) -> HttpResponse:
    if _for_browser(request, export):
        return HttpResponseRedirect(urls["progress_url"])
    if export.state == ExportState.FAILED:
        # A script learns why; asking again with retry=1 starts the export again.
        return HttpResponse(export.error, status=503, content_type="text/plain; charset=utf-8")
    made = "The slides are" if jobs.format_of(export) == "pptx" else "The PDF is"
    response = HttpResponse(
        f"{made} being made. Ask {urls['download_url']} again in {jobs.RETRY_AFTER} s.\n",
        status=202,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(jobs.RETRY_AFTER)
    response["Location"] = urls["download_url"]
    return response


def answer(
    request: HtmxRequest, plan: Plan, export: ReviewExport, urls: dict[str, str]
) -> HttpResponse:
    """htmx gets the progress panel; others the file when it is ready, else `_not_ready`.
    `urls` are the panel's links: a member's (`_urls`) or a share link's."""
    if request.htmx:
        fragment = Fragment(request, EXPORT_PAGE, "export", progress_context(plan, export, urls))
        return push_url(fragment, urls["progress_url"])
    if export.state == ExportState.READY:
        response = _file_response(export)
        if response is not None:
            return response
    return _not_ready(request, export, urls)


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


def _start(request: AuthedRequest, plan_id: int, file_format: str) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    form = ReviewOptionsForm(request.GET, plan=plan)
    if not form.is_valid():
        # htmx only swaps 2xx; a plain request gets a 400 with the same page.
        return _options_page(request, plan, form, status=200 if request.htmx else 400)
    retry = request.GET.get("retry") == "1"
    options = form.options(file_format=file_format)
    export = jobs.start_export(plan, options, user=request.user, retry=retry)
    return answer(request, plan, export, _urls(export))


@require_GET
@for_htmx(use_partial="options")
def review_pdf(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """Start (or join) the export of these options; the PDF itself once it is stored."""
    return _start(request, plan_id, "pdf")


@require_GET
@for_htmx(use_partial="options")
def review_slides(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """The same for the slides (.pptx): the options page's second button."""
    return _start(request, plan_id, "pptx")


@require_GET
@for_htmx(use_partial="export")
def review_export(request: AuthedRequest, plan_id: int, export_id: int) -> TemplateResponse:
    """The export's progress; the page asks again every second until it is ready or failed."""
    plan = access.plan_for_viewer(request.user, plan_id)
    export = jobs.export_of(plan, export_id)
    return TemplateResponse(request, EXPORT_PAGE, progress_context(plan, export, _urls(export)))


@require_GET
def review_download(
    request: AuthedRequest, plan_id: int, export_id: int, file_format: str = "pdf"
) -> HttpResponse:
    """The stored file; while it is being made, the progress page (browsers) or 202 (scripts).
    Its URL ends in the export's format (.pdf, .pptx): another ending is 404."""
    plan = access.plan_for_viewer(request.user, plan_id)
    export = jobs.export_of(plan, export_id)
    if jobs.format_of(export) != file_format:
        raise Http404("No such export")
    return answer(request, plan, export, _urls(export))
