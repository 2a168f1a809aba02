"""The Share page of a plan (editors), and the pages a share link opens (anyone with it).

The public pages are the members' own: the dashboard is built by `dashboard_context` and drawn
by `kpis/dashboard.html`, the PDF goes through the review job and its progress panel
(`kpis.review`), each told by `public_page` to link to nothing else of the app. Every public
request finds its link again, so a revoked or expired link is a 404 at once, downloads included.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from kpis.dashboards.views import dashboard_context
from kpis.models import ReviewExport
from kpis.review import jobs
from kpis.review import views as review
from kpis.review.forms import ReviewOptionsForm
from plans import access
from race_planner.htmx import for_htmx
from race_planner.http import AuthedRequest, HtmxRequest
from sharing import links
from sharing.forms import ShareLinkForm
from sharing.models import ShareLink

View = TypeVar("View", bound=Callable[..., HttpResponse])


def _new_link_key(plan_id: int) -> str:
    """The session key holding a new link until the Share page shows it, once."""
    return f"sharing-new-link-{plan_id}"


@require_http_methods(["GET", "POST"])
def share_links(request: AuthedRequest, plan_id: int) -> HttpResponse:
    # Sharing reads the plan, so an archived plan may be shared, and its links revoked.
    plan = access.plan_for_editor(request.user, plan_id, archived_ok=True)
    form = ShareLinkForm(request.POST or None)
    if form.is_valid():
        new = links.create_link(plan, created_by=request.user, **form.cleaned_data)
        request.session[_new_link_key(plan.pk)] = reverse("sharing-dashboard", args=[new.secret])
        messages.success(request, f"Link “{new.link.label}” created. Copy it now.")
        return redirect("sharing-links", plan.pk)
    new_path = request.session.pop(_new_link_key(plan.pk), None)
    context = {
        "plan": plan,
        "form": form,
        "links": links.links_of(plan),
        "new_url": request.build_absolute_uri(new_path) if new_path else None,
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "sharing/links.html", context)


@require_http_methods(["GET", "POST"])
def share_revoke(request: AuthedRequest, plan_id: int, link_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id, archived_ok=True)
    link = get_object_or_404(ShareLink, pk=link_id, plan=plan)
    if request.method == "POST":
        links.revoke(link)
        messages.success(request, f"Link “{link.label}” revoked: it no longer opens the plan.")
        return redirect("sharing-links", plan.pk)
    return TemplateResponse(request, "sharing/revoke.html", {"plan": plan, "link": link})


# --- what a share link opens ----------------------------------------------------------------


def public(view: View) -> View:
    """A page for anyone with the link: no log-in, kept out of search engines, and never
    cached, so a revoked link stops working at once everywhere."""

    @functools.wraps(view)
    def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        add_never_cache_headers(response)
        return response

    return cast(View, login_not_required(wrapper))


def _link(token: str, *, pdf: bool = False) -> ShareLink:
    """The usable link of this token (with its plan); 404 for unknown, expired and revoked
    alike, and for the PDF's pages when the link does not include the PDF."""
    link = links.usable_link(token, today=timezone.localdate())
    if link is None or (pdf and not link.with_pdf):
        raise Http404("No such link")
    return link


def _shared_pdf(link: ShareLink, export_id: int) -> ReviewExport:
    """An export of the link's plan that is a PDF: members' slides are not part of a link."""
    export = jobs.export_of(link.plan, export_id)
    if jobs.format_of(export) != "pdf":
        raise Http404("No such export")
    return export


def _review_urls(token: str, export: ReviewExport) -> dict[str, str]:
    """The progress panel's links for a share link: its own doors, its dashboard."""
    return {
        "progress_url": reverse("sharing-review-export", args=[token, export.pk]),
        "download_url": reverse("sharing-review-download", args=[token, export.pk]),
        "start_url": reverse("sharing-review-pdf", args=[token]),
        "back_url": reverse("sharing-dashboard", args=[token]),
        "back_label": "Back to the dashboard",
    }


@public
@require_GET
@for_htmx(use_partial="body")
def shared_dashboard(request: HtmxRequest, token: str) -> TemplateResponse:
    link = _link(token)
    if not request.htmx:  # opening the link is a use; its filter changes are the same visit
        links.record_use(link, now=timezone.now())
    context = {
        **dashboard_context(request, link.plan, add_url=None),
        "public_page": True,
        "shared_until": link.expires_on,
        "dashboard_url": reverse("sharing-dashboard", args=[token]),
        "review_url": reverse("sharing-review-pdf", args=[token]) if link.with_pdf else None,
    }
    return TemplateResponse(request, "kpis/dashboard.html", context)


@public
@require_GET
def shared_review_pdf(request: HtmxRequest, token: str) -> HttpResponse:
    """Start (or join) the review export, as a member's Export PDF does, with the dashboard's
    period and audience; the PDF itself once it is stored."""
    link = _link(token, pdf=True)
    form = ReviewOptionsForm(request.GET, plan=link.plan)
    if not form.is_valid():
        return HttpResponseBadRequest("These review options are not valid.")
    retry = request.GET.get("retry") == "1"
    export = jobs.start_export(link.plan, form.options(), retry=retry)
    return review.answer(request, link.plan, export, _review_urls(token, export))


@public
@require_GET
@for_htmx(use_partial="export")
def shared_review_export(request: HtmxRequest, token: str, export_id: int) -> TemplateResponse:
    link = _link(token, pdf=True)
    export = _shared_pdf(link, export_id)
    context = review.progress_context(link.plan, export, _review_urls(token, export))
    return TemplateResponse(request, review.EXPORT_PAGE, {**context, "public_page": True})


@public
@require_GET
def shared_review_download(request: HtmxRequest, token: str, export_id: int) -> HttpResponse:
    link = _link(token, pdf=True)
    export = _shared_pdf(link, export_id)
    return review.answer(request, link.plan, export, _review_urls(token, export))
