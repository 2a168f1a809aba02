"""The dates the app accepts, for every date a person enters or a file brings: plan periods,
target dates, tactic dates, actuals, dashboard and review filters, quarters.

From 1 Jan 2000 to 31 Dec 2100: wide enough for any marketing plan, narrow enough that
arithmetic on a period (the next quarter, a period as long again) never leaves the calendar.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
RANGE_MESSAGE = f"Use a date from {FIRST_DAY:%-d %b %Y} to {LAST_DAY:%-d %b %Y}."

# The browser's date picker; ISO values so it shows the initial date in every locale.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def check_in_range(day: date | None) -> None:
    """A validator for model and form date fields."""
    if day is not None and not in_range(day):
        raise ValidationError(RANGE_MESSAGE, code="date_range")


def date_field(**kwargs: Any) -> forms.DateField:
    """A form date field with the picker and the range check."""
    return forms.DateField(widget=DATE_INPUT, validators=[check_in_range], **kwargs)
