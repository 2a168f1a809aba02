"""The history page's changes written in Python (plans/history_html.py), for its template:
`{% history_entries page %}`, with the `plan`, `can_edit` and `csrf_token` of the context."""

from django import template
from django.utils.safestring import SafeString

from plans.history import HistoryPage
from plans.history_html import history_entries as entries_html

register = template.Library()


@register.simple_tag(takes_context=True)
def history_entries(context: template.Context, page: HistoryPage) -> SafeString:
    return entries_html(
        page,
        context["plan"],
        can_edit=bool(context.get("can_edit")),
        csrf_token=str(context.get("csrf_token") or ""),
    )
