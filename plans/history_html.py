"""A page of a plan's history as HTML, written in Python.

A page lists fifty changes, most with a table of the fields that changed, and the template
engine spent more on them (some thirty tags, filters and lookups a change, two dates formatted
through the format parser) than the rest of the request took. Here a change costs a few string
joins. The markup is the one the page always had; `plans/plan_history.html` puts it in its place
with `{% history_entries %}`.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from plans.history import Change, FieldChange, HistoryPage
from plans.models import Plan
from plans.worksheet.row_html import Formats, csrf_field, text

LONGEST_VALUE = 300  # characters of a field's value shown, as `truncatechars:300` cut them
CHANGED_FIELDS_HEAD = (
    '<div class="table-wrap" tabindex="0" role="region" '
    'aria-label="Changed fields (scrolls sideways)">\n'
    '<table class="table compact changes">\n'
    '<thead><tr><th scope="col">Field</th><th scope="col">Before</th>'
    '<th scope="col">After</th></tr></thead>\n'
    "<tbody>"
)
NO_BASELINE = '<p class="muted">Its earlier values were not recorded, so there is nothing to compare with.</p>'


def _value(value: str) -> str:
    """What `value|truncatechars:300` shows, escaped."""
    if len(value) > LONGEST_VALUE:
        return text(Truncator(value).chars(LONGEST_VALUE))
    return text(unicodedata.normalize("NFC", value))


def when(moment: datetime, formats: Formats) -> str:
    """`<time>` as `{{ moment|date:"j M Y, H:i" }}` shows it, in the current time zone."""
    local = timezone.localtime(moment)
    shown = f"{formats.day_month_year(local.date())}, {local:%H:%M}"
    return f'<time datetime="{local.isoformat()}">{shown}</time>'


def _changed_fields(changes: list[FieldChange]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{text(f.label)}</th><td class="old">{_value(f.old)}</td>'
        f'<td class="new">{_value(f.new)}</td></tr>'
        for f in changes
    )
    return f"{CHANGED_FIELDS_HEAD}\n{rows}\n</tbody>\n</table>\n</div>"


def _restore_form(change: Change, plan: Plan, csrf: str) -> str:
    action = reverse("plans-history-restore", args=[plan.pk, change.kind, change.history_id])
    label = "KPI" if change.kind == "kpi" else change.kind
    return (
        f'<form method="post" action="{text(action)}">\n{csrf}\n'
        f'<button type="submit" class="button small">Restore this {label}</button>\n</form>'
    )


def _entry(change: Change, plan: Plan, can_edit: bool, csrf: str, formats: Formats) -> str:
    action = text(change.action)
    parts = [
        f'<li class="card history-entry action-{action}">',
        '<div class="history-head">',
        f'<p><strong>{text(change.title)}</strong> <span class="badge history-{action}">'
        f"{action}</span></p>",
        f'<p class="muted">{when(change.when, formats)} by {text(change.who)}</p>',
        "</div>",
    ]
    if change.changes:
        parts.append(_changed_fields(change.changes))
    if change.no_baseline:
        parts.append(NO_BASELINE)
    if change.restorable and can_edit:
        parts.append(_restore_form(change, plan, csrf))
    parts.append("</li>")
    return "\n".join(parts)


def history_entries(
    page: HistoryPage, plan: Plan, *, can_edit: bool, csrf_token: str
) -> SafeString:
    """The page's changes, newest first, as the `<li>`s of the history list."""
    csrf, formats = csrf_field(csrf_token), Formats.current()
    entries = (_entry(change, plan, can_edit, csrf, formats) for change in page.changes)
    return mark_safe("\n".join(entries))  # every value from the database went through `text`
