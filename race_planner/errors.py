"""Error pages that say what happened in the app's own words."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CSRF_MESSAGE = (
    "This page’s security token has expired, for example after logging in again in another tab. "
    "Reload the page and try again."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's own page speaks of cookies and tokens; ours says what to do."""
    return render(request, "403.html", {"exception": CSRF_MESSAGE}, status=403)
