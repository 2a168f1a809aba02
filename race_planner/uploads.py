"""A cap on what a browser may send, checked before a byte of the body is read.

Django would otherwise read a large upload into memory or a temporary file before any view
could refuse it. The request says its size up front (Content-Length); one over the cap is
answered at once with the limit in the message.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from race_planner.forms import whole_number

# Room for the form's other fields and the multipart boundaries around the file itself.
OVERHEAD = 256 * 1024


def upload_limit(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    limit = settings.UPLOAD_MAX_BYTES + OVERHEAD

    def middleware(request: HttpRequest) -> HttpResponse:
        size = whole_number(request.META.get("CONTENT_LENGTH", "") or "0")
        if size is None or size > limit:
            megabytes = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            message = (
                f"That is more than {megabytes} MB, the most a file (or a form) may be here, so "
                "nothing was read. Split the file into smaller files and import them one after "
                "the other."
            )
            return render(request, "413.html", {"message": message}, status=413)
        return get_response(request)

    return middleware
