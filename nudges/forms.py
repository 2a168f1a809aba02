from __future__ import annotations

import zoneinfo

from django import forms

from nudges.models import Preference


def _zones() -> list[tuple[str, str]]:
    return [("", "The site's time zone"), *((z, z) for z in sorted(zoneinfo.available_timezones()))]


class PreferenceForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=_zones,
        required=False,
        help_text="Reminders and the digest follow your day: sent on your date, not the server's.",
    )

    class Meta:
        model = Preference
        fields = ["reminders", "alerts", "digest", "digest_weekday", "time_zone"]
        help_texts = {
            "reminders": "The day after a KPI you own was due and has no actual: one email a day at most.",
            "alerts": "When a KPI of a plan you edit goes off track; once until it recovers.",
            "digest": "Each plan's changes, what is behind, missing check-ins and budget, once a week.",
            "digest_weekday": "The day your weekly digest arrives.",
        }
