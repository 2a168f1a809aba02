"""One way to answer htmx: a view returns its page, `for_htmx` cuts out the partial htmx wants.

Partials are `{% partialdef name %}` blocks of the page template they belong to (inline where
the page shows them). A view returns `TemplateResponse(request, "page.html", context)`; for an
htmx request, `@for_htmx(use_partial="name")` renders `page.html#name` instead. An answer that
is only ever a part of a page (a saved row, the stage navigation) is a `Fragment`. Redirects,
a history restore and plain requests pass through untouched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers

from race_planner.http import HtmxRequest

View = TypeVar("View", bound=Callable[..., HttpResponse])


def partial_name(template: str, partial: str) -> str:
    """How django-template-partials names a partial of a template."""
    return f"{template}#{partial}"


def wants_partial(request: HtmxRequest) -> bool:
    """htmx swaps a part of the page, except when it restores a page missing from its cache."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def for_htmx(*, use_partial: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if isinstance(response, Fragment) or not isinstance(response, TemplateResponse):
                return response
            # The same URL answers with a page or a part of it: caches must tell them apart.
            patch_vary_headers(response, ["HX-Request"])
            if wants_partial(request):
                response.template_name = partial_name(str(response.template_name), use_partial)
            return response

        return cast(View, wrapper)

    return decorator


class Fragment(TemplateResponse):
    """A part of a page, whoever asks: `partial` of `template`."""

    def __init__(
        self,
        request: HtmxRequest,
        template: str,
        partial: str,
        context: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(request, partial_name(template, partial), context, **kwargs)
