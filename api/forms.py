from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from race_planner.dates import date_field


class TokenForm(forms.Form):
    label = forms.CharField(
        max_length=80,
        label="What is it for?",
        help_text="A name to recognise it by, such as “Weekly ads export”.",
    )
    expires_on = date_field(
        label="Expires on (optional)",
        required=False,
        help_text="The token stops working after this day. Leave empty for no expiry.",
    )

    def clean_expires_on(self) -> date | None:
        expires_on: date | None = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return expires_on
