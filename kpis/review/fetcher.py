"""The only way the review PDF may load a resource: our own static files and `data:` URIs.

WeasyPrint would otherwise follow any URL in the document (http, file, ftp). User text is
autoescaped, so it never becomes markup; this fetcher is the second wall should anything slip
through: every other URL is refused and recorded, nothing is opened.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The document's base URL. `.invalid` can never resolve, so even a fetcher bug could not
# reach a real host with it.
BASE_URL = "https://review.invalid/"


def static_url(name: str) -> str:
    """The document URL of one of our static files, e.g. static_url("css/review.css").

    Deliberately the source name, not the hashed name `{% static %}` gives in production:
    the fetcher reads files through the staticfiles finders, which know source names only.
    """
    return BASE_URL + settings.STATIC_URL.strip("/") + "/" + name


class BlockedURL(ValueError):
    """Raised for any URL the review may not load; WeasyPrint then skips the resource."""


def static_path(url: str) -> Path | None:
    """The file behind one of our static URLs (BASE_URL + STATIC_URL + name), or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or parts.query or parts.fragment:
        return None
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    name = unquote(parts.path.removeprefix(prefix))
    # Refuse anything that would climb out of the static folders, however it is spelled.
    if not name or name != posixpath.normpath(name) or name.startswith(("/", "..")):
        return None
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


class ReviewURLFetcher(URLFetcher):
    """Serves our static files and `data:` URIs; refuses and logs everything else."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, **kwargs)
        self.served: list[str] = []
        self.blocked: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            self.served.append(url[:40])
            # urllib's DataHandler decodes it in memory; no I/O happens.
            return super().fetch(url, headers)
        path = static_path(url)
        if path is None:
            self.blocked.append(url)
            raise BlockedURL(f"The review PDF does not load {url!r}.")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
