"""The links of the top navigation. Each app adds its own in its `AppConfig.ready()`, so the
site's shell names no feature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str


_links: list[NavLink] = []


@dataclass(frozen=True)
class UserLink:
    """A link in the user's corner of the header, with an optional count beside it."""

    label: str
    url_name: str
    count: Callable[[Any], int] | None = None  # asked only when the header is drawn


_user_links: list[UserLink] = []


def add_user_link(label: str, url_name: str, *, count: Callable[[Any], int] | None = None) -> None:
    link = UserLink(label, url_name, count)
    if link not in _user_links:
        _user_links.append(link)


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
    # A count is a callable: the template calls it where the header shows it, so partials
    # and pages without the header run no query for it.
    user_links = [
        {
            "label": link.label,
            "url": reverse(link.url_name),
            "count": (lambda count=link.count: count(request.user)) if link.count else None,
        }
        for link in _user_links
    ]
    return {"nav_links": links, "user_links": user_links}
