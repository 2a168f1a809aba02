"""Forms of a plan as a whole: a new plan (from the presets or blank) and its settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from plans import lifecycle
from plans.models import Audience, Plan, Stage, Workspace
from plans.presets import AUDIENCES, KPIPreset, stage_preset
from plans.quarters import Quarter, quarter_choices
from plans.versioning import VersionedForm
from race_planner.dates import DATE_INPUT, date_field
from race_planner.forms import end_not_before_start, set_choices

CURRENCY_HELP = "Three-letter ISO code, e.g. EUR, USD, GBP."


def _currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValidationError("Use a three-letter currency code such as EUR or USD.")
    return code


def _period(form: forms.BaseForm) -> None:
    message = "The period cannot end before it starts."
    end_not_before_start(form, "period_start", "period_end", message)


@dataclass
class PickerItem:
    key: str
    label: str
    detail: str
    checked: bool


@dataclass
class PickerStage:
    audience: str
    stage: str
    label: str
    groups: list[tuple[str, list[PickerItem]]]


def _kpi_detail(kpi: KPIPreset) -> str:
    """'example 8,000 → 10,400 · Distinct people visiting the site in the period'."""
    suffix = " %" if kpi.unit == "percent" else ""
    shown = [f"{value.normalize():,f}{suffix}" for value in (kpi.baseline, kpi.target)]
    return f"example {shown[0]} → {shown[1]} · {kpi.definition}"


class PlanCreateForm(forms.Form):
    START_CHOICES = [
        ("preset", "Start from the suggestions for this audience (tick the ones to take)"),
        ("blank", "Start with an empty plan"),
    ]

    workspace = forms.ChoiceField()
    name = forms.CharField(max_length=120, label="Plan name")
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.B2C)
    quarter = forms.ChoiceField(label="Period", required=False)
    period_start = date_field(required=False, label="Starts (other dates)")
    period_end = date_field(required=False, label="Ends (other dates)")
    currency = forms.CharField(max_length=3, initial="EUR", help_text=CURRENCY_HELP)
    start_from = forms.ChoiceField(
        choices=START_CHOICES, initial="preset", widget=forms.RadioSelect, label="Start from"
    )
    preset_items = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(
        self, *args: Any, workspaces: Sequence[Workspace], today: date, **kwargs: Any
    ) -> None:
        initial = kwargs.get("initial")
        self._initial_keys: list[str] | None = (
            initial.getlist("preset_items") if isinstance(initial, QueryDict) else None
        )
        super().__init__(*args, **kwargs)
        self.workspaces = {str(w.pk): w for w in workspaces}
        set_choices(self.fields["workspace"], [(str(w.pk), w.name) for w in workspaces])
        if len(workspaces) == 1:
            self.fields["workspace"].widget = forms.HiddenInput()
            self.fields["workspace"].initial = str(workspaces[0].pk)
        # Choosing an audience shows its suggestions (htmx; without it, "Show suggestions").
        self.fields["audience"].widget.attrs.update(
            {
                "hx-post": reverse("plans-create"),
                "hx-trigger": "change",
                "hx-target": "#preset-picker",
                "hx-swap": "outerHTML",
                "hx-vals": '{"refresh": "1"}',
                "hx-include": "closest form",
            }
        )
        quarters = quarter_choices(today)
        set_choices(
            self.fields["quarter"],
            [*[(q.key, q.label) for q in quarters], ("", "Other dates (fill in below)")],
        )
        self.fields["quarter"].initial = quarters[0].key
        self.fields["quarter"].help_text = "Pick a quarter, or “Other dates” and set both dates."
        set_choices(
            self.fields["preset_items"],
            [(key, key) for key in sorted(lifecycle.preset_item_keys(AUDIENCES))],
        )

    def chosen_audience(self) -> str:
        value = self.data.get("audience") if self.is_bound else self.initial.get("audience")
        return str(value) if value in Audience.values else Audience.B2C.value

    def picker(self) -> list[PickerStage]:
        """The suggestions of the chosen audience, stage by stage, with what is ticked."""
        audiences = Plan(audience=self.chosen_audience()).audiences
        if self.is_bound:
            ticked: set[str] | None = set(self.data.getlist("preset_items"))  # type: ignore[attr-defined]
        elif self._initial_keys is not None:
            ticked = set(self._initial_keys)
        else:
            ticked = None  # first visit: everything ticked
        out = []
        for audience in audiences:
            own = lifecycle.preset_item_keys([audience])
            # An audience nothing was ticked for yet (just chosen): offer all of it.
            fresh = ticked is None or (not self.is_bound and not (ticked & own))
            for stage in Stage:
                preset = stage_preset(audience, stage.value)

                def item(key: str, label: str, detail: str) -> PickerItem:
                    return PickerItem(key, label, detail, fresh or key in (ticked or set()))  # noqa: B023

                groups = [
                    ("KPIs", [item(k.key, k.name, _kpi_detail(k)) for k in preset.kpis]),
                    ("Objectives", [item(o.key, o.title, "") for o in preset.objectives]),
                    ("Tactics", [item(t.key, t.title, t.channel) for t in preset.tactics]),
                ]
                out.append(PickerStage(audience, stage.value, stage.label, groups))
        return out

    def clean_currency(self) -> str:
        return _currency(self.cleaned_data["currency"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        key = cleaned.get("quarter")
        if key:
            quarter = Quarter.from_key(key)
            cleaned["period_start"], cleaned["period_end"] = quarter.start, quarter.end
        else:
            for name in ("period_start", "period_end"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "Pick a quarter above, or give both dates.")
            _period(self)
        return cleaned

    def plan_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys: set[str] = set()
        if data["start_from"] == "preset":
            audiences = Plan(audience=data["audience"]).audiences
            keys = set(data["preset_items"]) & lifecycle.preset_item_keys(audiences)
        return {
            "workspace": self.workspaces[data["workspace"]],
            "name": data["name"].strip(),
            "audience": data["audience"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "currency": data["currency"],
            "preset_keys": keys,
        }


class PlanSettingsForm(VersionedForm):
    class Meta:
        model = Plan
        fields = ["name", "period_start", "period_end", "status", "currency", "summary"]
        labels = {"period_start": "Starts", "period_end": "Ends", "summary": "Summary"}
        widgets = {
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "status": "Draft while you plan, active while it runs; archived plans are kept for reference.",
            "currency": CURRENCY_HELP,
        }

    def clean_currency(self) -> str:
        return _currency(self.cleaned_data["currency"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _period(self)
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and not self.errors and self.instance.pk:
            self._keep_dates_inside(start, end)
        return cleaned

    def _keep_dates_inside(self, start: date, end: date) -> None:
        """A shorter period must not strand tactic dates or objective dates outside it."""
        outside = Q(start_date__lt=start) | Q(start_date__gt=end)
        outside |= Q(end_date__lt=start) | Q(end_date__gt=end)
        tactics = list(self.instance.tactics.filter(outside).values_list("title", flat=True)[:4])
        objectives = list(
            self.instance.objectives.filter(target_date__lt=start).values_list("title", flat=True)[
                :4
            ]
        )
        for titles, what in ((tactics, "Tactic dates"), (objectives, "Objective target dates")):
            if titles:
                named = ", ".join(f"“{t}”" for t in titles[:3]) + (
                    " and more" if len(titles) > 3 else ""
                )
                self.add_error(
                    "period_start",
                    f"{what} fall outside this period: {named}. Change them first, "
                    "or choose a period that covers them.",
                )
