"""`{% worksheet_panels plan %}`: the placeholders of the panels other features add to the
worksheet (`plans.extensions.add_worksheet_panel`), each filled by htmx once the page is drawn."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from plans import extensions
from plans.models import Plan

register = template.Library()


@register.simple_tag
def worksheet_panels(plan: Plan) -> SafeString:
    return format_html_join(
        "\n",
        '<div class="plan-panel card" hx-get="{}" hx-trigger="load" hx-swap="outerHTML">'
        '<p><a href="{}">{}</a></p></div>',
        ((fragment, link.url, link.label) for link, fragment in extensions.worksheet_panels(plan)),
    ) or format_html("")
