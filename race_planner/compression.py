"""Answers gzipped for browsers that take it: pages, htmx fragments, CSV and PDF downloads."""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class BufferedGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for answers built whole in memory, which is every page and
    download of ours (a review PDF shrinks by a third: fonts and vector charts compress).

    It keeps Django's defence against BREACH, an attacker reading a secret from the sizes of
    compressed pages that reflect their input: each gzip body carries up to 100 random bytes,
    and the CSRF token in every page is masked anew for every request.

    A streamed answer (a FileResponse, any StreamingHttpResponse) goes out as it is: it keeps
    its Content-Length, so a download shows its progress, and each chunk leaves as soon as it
    is ready. Static files never get here: WhiteNoise, above this middleware, answers them
    with the brotli or gzip copy collectstatic made.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming:
            return response
        return super().process_response(request, response)
