from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from race_planner.dates import date_field

LONGEST = timedelta(days=366)  # a link lives a year at most: an editor renews it on purpose
DEFAULT_LIFE = timedelta(days=30)


class ShareLinkForm(forms.Form):
    label = forms.CharField(
        max_length=80,
        label="Who is it for?",
        help_text="A name to recognise the link by, such as “Board, Q3 review”. Only members see it.",
    )
    expires_on = date_field(
        label="Works until",
        help_text="The last day the link opens the dashboard. A year at most.",
    )
    with_pdf = forms.BooleanField(
        label="Let them download the quarterly review PDF",
        required=False,
        help_text="The same PDF members export: its cover names the workspace.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + DEFAULT_LIFE

    def clean_expires_on(self) -> date:
        expires_on: date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on < today:
            raise forms.ValidationError("Choose today or a later day.")
        if expires_on > today + LONGEST:
            raise forms.ValidationError(f"Choose a day before {today + LONGEST:%-d %b %Y}.")
        return expires_on
