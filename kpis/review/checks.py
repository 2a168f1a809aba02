"""System checks: `manage.py check` says when the review PDF cannot draw its charts."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register

from kpis.review.charts import NO_BROWSER_MESSAGE, browser_path


@register()
def chart_browser_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if browser_path() is not None:
        return []
    return [
        Warning(
            NO_BROWSER_MESSAGE,
            hint="Until then, exporting a quarterly review PDF fails with this message.",
            id="kpis.W001",
        )
    ]
