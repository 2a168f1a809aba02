"""A worksheet row (objective, tactic or KPI) as HTML, built in Python.

The worksheet shows every row of a plan, and the template engine spent about half a millisecond
on each (some forty tags and lookups, six `{% url %}`): more than the rest of the page at 40
rows. Here a row costs a few string joins. The markup is the one the page always had; the
`item-row` partial of `plans/worksheet.html` renders it with `{% item_row %}`, so the page and
every fragment (saved, added, moved, cancelled) show a row the same way.

A row's actions (edit, move, delete) sit in one menu, a `<details>` disclosure: it opens without
JavaScript, and `worksheet.js` adds Escape and closing on a click elsewhere. A KPI row shows its
latest actual and status, read through `plans.extensions.kpi_readings` once per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from html import escape
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, numberformat
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from plans import extensions
from plans.models import (
    KPI,
    Audience,
    ItemAudience,
    Media,
    Objective,
    Plan,
    Tactic,
    TacticStatus,
    Unit,
    responsibility,
)

# A stand-in argument: a URL is reversed once per page with it, then it is replaced per use.
MARK = "999999999999999999"


@dataclass(frozen=True)
class ItemUrl:
    """A URL of one name for any value of one argument (a row's id, a stage): reversed once
    with MARK in that argument's place, filled in per use."""

    before: str
    after: str

    @classmethod
    def of(cls, name: str, *args: int | str) -> ItemUrl:
        before, _, after = reverse(name, args=args).rpartition(MARK)
        return cls(before, after)

    def __call__(self, value: int | str) -> str:
        return f"{self.before}{value}{self.after}"


@dataclass(frozen=True)
class Formats:
    """The active language's number separators and month names, looked up once per page
    rather than for every number and date."""

    decimal: str
    grouping: Any
    thousands: str
    months: tuple[str, ...]  # "Jan" … "Dec", at 1 … 12

    @classmethod
    def current(cls) -> Formats:
        lang = get_language()
        months = ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))
        decimal, grouping, thousands = (formats.get_format(name, lang) for name in NUMBER_FORMATS)
        return cls(decimal, grouping, thousands, months)

    def amount(self, value: Decimal) -> str:
        """What `floatformat:"-2g"` shows (1,500 or 1,500.25); whole numbers, most budgets and
        targets, without the filter's general path, which costs ten times as much."""
        if not value.is_finite() or value != value.to_integral_value():
            return str(floatformat(value, "-2g"))
        return numberformat.format(
            str(int(value)),
            self.decimal,
            0,
            self.grouping,
            self.thousands,
            force_grouping=True,
            use_l10n=True,
        )

    def day_month(self, value: date | None) -> str:
        """`value|date:"j M"` ("7 Jul"), without the filter's format parser; "" for no date."""
        return f"{value.day} {self.months[value.month]}" if value else ""

    def day_month_year(self, value: date | None) -> str:
        """`value|date:"j M Y"` ("7 Jul 2026"); "" for no date."""
        return f"{self.day_month(value)} {value.year:04d}" if value else ""


NUMBER_FORMATS = ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")


@dataclass(frozen=True)
class RowPage:
    """What every row of one page shares: the plan, whether its reader may edit, the CSRF
    field of the move forms, each kind's edit, move and delete URLs, and the KPIs' readings
    (given by the page, or read when the first KPI row of a fragment asks)."""

    plan: Plan
    can_edit: bool
    csrf_field: SafeString
    urls: dict[str, tuple[ItemUrl, ItemUrl, ItemUrl]]
    formats: Formats
    given_readings: dict[int, extensions.KPIReading] | None = None

    @cached_property
    def readings(self) -> dict[int, extensions.KPIReading]:
        if self.given_readings is not None:
            return self.given_readings
        return extensions.kpi_readings(self.plan)  # one query, only for KPI rows

    @classmethod
    def of(
        cls,
        plan: Plan,
        *,
        can_edit: bool,
        csrf_token: str,
        readings: dict[int, extensions.KPIReading] | None = None,
    ) -> RowPage:
        names = ("plans-item-update", "plans-item-move", "plans-item-delete")
        urls = {
            kind: (
                ItemUrl.of(names[0], plan.pk, kind, MARK),
                ItemUrl.of(names[1], plan.pk, kind, MARK),
                ItemUrl.of(names[2], plan.pk, kind, MARK),
            )
            for kind in ("objective", "tactic", "kpi")
        }
        return cls(plan, can_edit, csrf_field(csrf_token), urls, Formats.current(), readings)


def csrf_field(csrf_token: str) -> SafeString:
    """The hidden field as {% csrf_token %} writes it."""
    return mark_safe(
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{text(csrf_token)}">'
        if csrf_token and csrf_token != "NOTPROVIDED"  # noqa: S105 (Django's marker)
        else ""
    )


def text(value: Any) -> str:
    """Text for HTML, escaped as Django's templates escape it (`django.utils.html.escape`
    without its lazy-string wrapper, which cost more than the escaping)."""
    return escape(str(value))


def prose(value: str) -> str:
    """Text with its line breaks as `<br>`, as the `linebreaksbr` filter writes it (without its
    lazy-string wrappers, which cost ten times the work)."""
    return text(value.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _label(choices: dict[str, str], value: str) -> str:
    return text(choices.get(value, value))  # as get_FOO_display()


AUDIENCES = dict(ItemAudience.choices)
MEDIA = dict(Media.choices)
STATUSES = dict(TacticStatus.choices)
UNITS = dict(Unit.choices)


def _lines(*parts: object) -> str:
    """Elements one a line; the parts left out (empty, None or False) leave no blank line."""
    return "\n".join(str(part) for part in parts if part)


def _title(item: Any, kind: str, *, saved: bool) -> str:
    audience, status = item.audience, kind == "tactic" and item.status
    return _lines(
        '<p class="item-title">',
        text(item.name if kind == "kpi" else item.title),
        audience != "all"
        and f'<span class="tag tag-{text(audience)}">{_label(AUDIENCES, audience)}</span>',
        status and f'<span class="badge tactic-{text(status)}">{_label(STATUSES, status)}</span>',
        saved and '<span class="saved-flag" role="status">Saved</span>',
        "</p>",
    )


def _objective_meta(item: Objective, page: RowPage) -> str:
    kpi = item.measured_by
    measured = (
        f'<span class="measured-by-{kpi.pk}">Measured by '
        f'<strong class="kpi-name-{kpi.pk}">{text(kpi.name)}</strong></span>'
        if kpi
        else '<span class="muted">No KPI linked</span>'
    )
    target = (
        item.target_date
        and f"<span>Target date {page.formats.day_month_year(item.target_date)}</span>"
    )
    return _lines('<p class="item-meta">', measured, target, "</p>")


def _tactic_meta(item: Tactic, page: RowPage) -> str:
    start, end = page.formats.day_month(item.start_date), page.formats.day_month_year(item.end_date)
    amount, currency = page.formats.amount, text(page.plan.currency)
    return _lines(
        '<p class="item-meta">',
        item.channel and f"<span>{text(item.channel)}</span>",
        f"<span>{_label(MEDIA, item.media)} media</span>",
        item.owner and f"<span>Owner {text(item.owner)}</span>",
        f"<span>Budget <strong>{amount(item.budget_planned)} {currency}</strong>, "
        f"spent {amount(item.budget_spent)}</span>",
        (start or end) and f"<span>{start or '…'} – {end or '…'}</span>",
        item.objective and f"<span>Serves “{text(item.objective.title)}”</span>",
        "</p>",
    )


def _kpi_meta(item: KPI, page: RowPage) -> str:
    amount = page.formats.amount
    in_currency = f" ({text(page.plan.currency)})" if item.unit == Unit.CURRENCY else ""
    better = "Higher is better" if item.direction == "up" else "Lower is better"
    return _lines(
        '<p class="item-meta">',
        f"<span>Baseline <strong>{amount(item.baseline)}</strong> → "
        f"target <strong>{amount(item.target)}</strong></span>",
        f"<span>{_label(UNITS, item.unit)}{in_currency}</span>",
        f"<span>{better}</span>",
        item.definition and f'<span class="muted">{text(item.definition)}</span>',
        f"<span>{text(responsibility(item))}</span>",
        "</p>",
    )


def _kpi_reading(item: KPI, page: RowPage) -> str:
    """The KPI's status in words on its colour (never the colour alone), and its latest actual."""
    reading = page.readings.get(item.pk)
    if reading is None:  # nothing registered to read KPIs
        return ""
    latest = (
        f"Latest <strong>{text(reading.latest)}</strong> "
        f'<span class="muted">on {page.formats.day_month(reading.latest_date)}</span>'
        if reading.latest
        else '<span class="muted">No actuals yet</span>'
    )
    return _lines(
        '<p class="item-reading">',
        f'<span class="badge status-{text(reading.status)}">{text(reading.status_label)}</span>',
        f'<span class="reading-latest">{latest}</span>',
        "</p>",
    )


def _actions(item: Any, kind: str, label: str, page: RowPage) -> str:
    edit, move, delete = (text(url(item.pk)) for url in page.urls[kind])
    name, label = text(item), text(label)
    to_audience = [
        f'<button type="submit" name="audience" value="{value}" class="menu-item">{text}'
        f'<span class="visually-hidden">: move {name}</span></button>'
        for value, text in (("b2c", "To B2C"), ("b2b", "To B2B"), ("all", "To both"))
        if page.plan.audience == Audience.BOTH and item.audience != value
    ]
    return _lines(
        '<details class="row-menu">',
        '<summary class="button small row-menu-button" title="Edit, move or delete">'
        f'<span aria-hidden="true">⋯</span><span class="visually-hidden">Actions for {label} '
        f"{name}</span></summary>",
        '<div class="row-menu-list">',
        f'<a class="menu-item" href="{edit}" hx-get="{edit}" hx-target="closest li" '
        f'hx-swap="outerHTML">Edit<span class="visually-hidden"> {label} {name}</span></a>',
        f'<form method="post" action="{move}" hx-post="{move}" hx-swap="none" class="move-form">',
        page.csrf_field,
        '<button type="submit" name="direction" value="up" class="menu-item">'
        f'Move up<span class="visually-hidden"> {name}</span></button>',
        '<button type="submit" name="direction" value="down" class="menu-item">'
        f'Move down<span class="visually-hidden"> {name}</span></button>',
        *to_audience,
        "</form>",
        f'<a class="menu-item danger-text" href="{delete}" hx-get="{delete}" '
        'hx-target="closest li" hx-swap="outerHTML">Delete…'
        f'<span class="visually-hidden"> {label} {name}</span></a>',
        "</div>",
        "</details>",
    )


def item_row(item: Any, kind: str, label: str, page: RowPage, *, saved: bool = False) -> SafeString:
    """The `<li>` of one row: what it says, and for editors its edit, move and delete controls.
    Every value from the database goes through `text` (or a filter that escapes)."""
    if kind == "objective":
        meta = _objective_meta(item, page)
    elif kind == "tactic":
        meta = _tactic_meta(item, page)
    else:
        meta = _kpi_meta(item, page)
    description = item.description and (f'<p class="item-desc muted">{prose(item.description)}</p>')
    html = _lines(
        f'<li class="item-row item-{kind}" id="{kind}-{item.pk}">',
        '<div class="item-main">',
        _title(item, kind, saved=saved),
        meta,
        description,
        "</div>",
        kind == "kpi" and _kpi_reading(item, page),
        page.can_edit and _actions(item, kind, label, page),
        "</li>",
    )
    return mark_safe(f"\n{html}\n")


def item_list(
    rows: list[Any], kind: Any, stage: str, group: Any, page: RowPage, *, oob: bool = False
) -> SafeString:
    """The `<ul>` of one audience group of a kind in a stage: its rows, then the line that shows
    when it is empty (CSS hides it otherwise). `oob` swaps it in place of the page's list."""
    swap = ' hx-swap-oob="outerHTML"' if oob else ""
    audience = f" for {text(group.label)}" if group.key != "all" else ""
    hint = f" Use “Add {text(kind.label)}” below." if page.can_edit else ""
    items = "".join(item_row(row, kind.key, kind.label, page) for row in rows)
    return mark_safe(
        f'\n<ul class="items-list" id="list-{text(stage)}-{kind.key}-{text(group.key)}"{swap}>\n'
        f"{items}\n"
        f'<li class="empty muted">No {text(kind.plural)}{audience} yet.{hint}</li>\n</ul>\n'
    )
