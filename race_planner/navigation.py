"""The links of the top navigation. Each app adds its own in its `AppConfig.ready()`, so the
site's shell names no feature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str


_links: list[NavLink] = []


def add_nav_link(label: str, url_name: str) -> None:
    link = NavLink(label, url_name)
    if link not in _links:  # ready() may run more than once in tests
        _links.append(link)


def nav_links(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav_links`, each with its URL and whether it is the current page."""
    current = getattr(request.resolver_match, "url_name", None)
    links = [
        {"label": link.label, "url": reverse(link.url_name), "current": link.url_name == current}
        for link in _links
    ]
    return {"nav_links": links}
