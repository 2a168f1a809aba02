"""The review's options: period, stages, audience (plans for both) and paper size (PDF)."""

from __future__ import annotations

from typing import Any

from django import forms

from kpis.review.export import PAPER_SIZES, ReviewOptions
from plans.models import Audience, Plan, Stage
from race_planner.dates import date_field

AUDIENCE_CHOICES = [
    ("both", "Both audiences"),
    (Audience.B2C.value, "B2C only"),
    (Audience.B2B.value, "B2B only"),
]


class ReviewOptionsForm(forms.Form):
    start = date_field(label="From", required=False)
    end = date_field(label="To", required=False)
    stages = forms.MultipleChoiceField(
        label="Stages to include",
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked to include every stage.",
    )
    audience = forms.ChoiceField(label="Audience", choices=AUDIENCE_CHOICES, required=False)
    paper = forms.ChoiceField(
        label="Paper size",
        choices=[(k, k) for k in PAPER_SIZES],
        required=False,
        help_text="For the PDF; slides are 16:9.",
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["start"].widget.attrs["placeholder"] = plan.period_start.isoformat()
        self.fields["end"].widget.attrs["placeholder"] = plan.period_end.isoformat()
        self.fields["start"].help_text = f"Plan starts {plan.period_start:%d %b %Y}."
        self.fields["end"].help_text = f"Plan ends {plan.period_end:%d %b %Y}."
        if plan.audience != Audience.BOTH:
            del self.fields["audience"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("start") or self.plan.period_start
        end = data.get("end") or self.plan.period_end
        if start > end:
            self.add_error("end", "The period must end on or after the day it starts.")
        return data

    def options(self, *, file_format: str = "pdf") -> ReviewOptions:
        """The validated choices; blanks fall back to the whole plan. The format comes from
        the button (its URL), not from a field."""
        data = self.cleaned_data
        audience = data.get("audience") or "both"
        return ReviewOptions(
            start=data.get("start"),
            end=data.get("end"),
            stages=tuple(data.get("stages") or Stage.values),
            audience=None if audience == "both" else audience,
            paper=data.get("paper") or "A4",
            format=file_format,
        )
