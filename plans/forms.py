"""Forms of the worksheet: plan settings, stage texts, objectives, tactics and KPIs.

Every form of an editable row carries the row's `version` in a hidden field (see
`plans/versioning.py`). Choices that point at other rows of the plan (an objective's KPI, a
tactic's objective, a stage's primary KPI) come from lists the caller already loaded, so
rendering a form costs no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import construct_instance
from django.http import QueryDict

from plans import planning
from plans.models import (
    KPI,
    Audience,
    ItemAudience,
    Objective,
    Plan,
    Stage,
    StageWorksheet,
    Tactic,
    Unit,
    Workspace,
)
from plans.presets import AUDIENCES, stage_preset

NUMBER_MESSAGE = "Enter a number, such as 1500 or 12.5, without letters or units."


class VersionedForm(forms.ModelForm):
    """A model form that remembers which version of the row it was built from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Links chosen from rows the caller loaded for the select, all of this plan: the model's
    # own check that they exist would cost one more query each.
    picked_links: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False
        for form_field in self.fields.values():
            if isinstance(form_field, forms.DecimalField):
                form_field.error_messages["invalid"] = NUMBER_MESSAGE

    @property
    def expected_version(self) -> int:
        return int(self.cleaned_data["version"])

    def _post_clean(self) -> None:
        """ModelForm's own, without the model's constraint checks: Django runs one query per
        check constraint there. The forms check the same rules in Python (choices, budgets,
        dates, KPI names); the database constraints stay as the last line."""
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]
        try:
            exclude = self._get_validation_exclusions()  # type: ignore[attr-defined]
            self.instance.full_clean(
                exclude={*exclude, *self.picked_links},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]

    def model_fields(self) -> list[str]:
        return [name for name in self._meta.fields or [] if name != "version"]

    def show_current_version(self, version: int) -> None:
        """After a conflict: keep the user's input, but let a second save replace the newer row."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix("version")] = str(version)
        self.data = data


def _choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _choice_lookup(field: forms.Field, rows: Sequence[Any], label: str) -> dict[str, Any]:
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", f"— no {label} —"), *[(str(row.pk), str(row)) for row in rows]]
    return {str(row.pk): row for row in rows}


def _picked_kpi(choice: str, offered: dict[str, KPI], row: Any, link: str) -> KPI | None:
    """The KPI picked in a select of live KPIs. A link to a KPI deleted from the worksheet is not
    offered, so the select shows "none"; sent back like that, the link is kept for a restore."""
    linked_id = getattr(row, f"{link}_id")
    if choice or linked_id is None or str(linked_id) in offered:
        return offered.get(choice)
    linked: KPI = getattr(row, link)  # loaded with the row
    return linked if linked.deleted_at else None


class StageItemForm(VersionedForm):
    """What objective, tactic and KPI forms share: a plan to check dates and names against."""

    # Where a new row goes in its list: the page knows the next free place, so adding a row
    # costs no query to find it. Edits never change the order (see the move view).
    position = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=1_000_000
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["position"]
        if "audience" in self.fields:
            self.fields["audience"].help_text = "Which audience this serves."
            if plan.audience != Audience.BOTH:
                _choices(
                    self.fields["audience"],
                    [
                        (ItemAudience.ALL.value, "All"),
                        (plan.audience, plan.get_audience_display()),
                    ],
                )

    def _in_period(self, value: date | None, label: str) -> date | None:
        plan = self.plan
        if value and not (plan.period_start <= value <= plan.period_end):
            raise ValidationError(
                f"{label} must fall within the plan period "
                f"({plan.period_start:%d %b %Y} – {plan.period_end:%d %b %Y})."
            )
        return value


def _not_negative(value: Decimal | None, label: str) -> Decimal | None:
    if value is not None and value < 0:
        raise ValidationError(f"{label} cannot be negative.")
    return value


class ObjectiveForm(StageItemForm):
    kpi = forms.ChoiceField(label="Measured by KPI", required=False)
    picked_links = ("kpi",)

    class Meta:
        model = Objective
        fields = ["title", "audience", "kpi", "target_date", "description"]
        widgets = {
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, kpis: Sequence[KPI] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kpis = _choice_lookup(self.fields["kpi"], kpis, "KPI")
        if self.instance.pk:
            self.initial["kpi"] = str(self.instance.kpi_id or "")

    def clean_kpi(self) -> KPI | None:
        return _picked_kpi(self.cleaned_data.get("kpi") or "", self._kpis, self.instance, "kpi")

    def clean_target_date(self) -> date | None:
        """Goals may reach beyond the quarter ("within 12 months"), but not start before it."""
        value = self.cleaned_data.get("target_date")
        if value and value < self.plan.period_start:
            raise ValidationError(
                f"The target date cannot be before the plan starts ({self.plan.period_start:%d %b %Y})."
            )
        return value


class TacticForm(StageItemForm):
    objective = forms.ChoiceField(label="Serves objective", required=False)
    picked_links = ("objective",)

    class Meta:
        model = Tactic
        fields = [
            "title",
            "audience",
            "channel",
            "media",
            "owner",
            "budget_planned",
            "budget_spent",
            "start_date",
            "end_date",
            "status",
            "objective",
            "description",
        ]
        labels = {"budget_planned": "Budget planned", "budget_spent": "Budget spent"}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "budget_planned": forms.TextInput(attrs={"inputmode": "decimal"}),
            "budget_spent": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, objectives: Sequence[Objective] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objectives = _choice_lookup(self.fields["objective"], objectives, "objective")
        if self.instance.pk:
            self.initial["objective"] = str(self.instance.objective_id or "")
        for name in ("budget_planned", "budget_spent"):
            self.fields[name].help_text = f"In {self.plan.currency}."

    def clean_objective(self) -> Objective | None:
        return self._objectives.get(self.cleaned_data.get("objective") or "")

    def clean_budget_planned(self) -> Decimal | None:
        return _not_negative(self.cleaned_data.get("budget_planned"), "A budget")

    def clean_budget_spent(self) -> Decimal | None:
        return _not_negative(self.cleaned_data.get("budget_spent"), "Money spent")

    def clean_start_date(self) -> date | None:
        return self._in_period(self.cleaned_data.get("start_date"), "The start date")

    def clean_end_date(self) -> date | None:
        return self._in_period(self.cleaned_data.get("end_date"), "The end date")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned


class KPIForm(StageItemForm):
    class Meta:
        model = KPI
        fields = [
            "name",
            "audience",
            "unit",
            "direction",
            "baseline",
            "target",
            "definition",
            "description",
        ]
        labels = {"direction": "Better when"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "baseline": forms.TextInput(attrs={"inputmode": "decimal"}),
            "target": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["definition"].help_text = "How it is calculated, e.g. orders ÷ visits."

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = KPI.objects.filter(plan=self.plan, name=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                "This plan already has a KPI with that name; KPI names are unique within a plan."
            )
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("unit") != Unit.SCORE:  # scores such as NPS run from -100 to 100
            for name, label in (("baseline", "The baseline"), ("target", "The target")):
                value = cleaned.get(name)
                if value is not None and value < 0:
                    self.add_error(name, f"{label} cannot be negative for this unit.")
        return cleaned


class WorksheetForm(VersionedForm):
    primary_kpi = forms.ChoiceField(
        label="Primary KPI (funnel volume)",
        required=False,
        help_text="The number that measures how many people this stage moves along.",
    )
    picked_links = ("primary_kpi",)

    class Meta:
        model = StageWorksheet
        fields = ["opportunity", "strategy", "actions", "primary_kpi"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("opportunity", "strategy", "actions")
        }

    def __init__(self, *args: Any, kpis: Sequence[KPI] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kpis = _choice_lookup(self.fields["primary_kpi"], kpis, "primary KPI")
        self.initial["primary_kpi"] = str(self.instance.primary_kpi_id or "")
        # The preset's examples as placeholders (the plan is loaded with the worksheet).
        preset = stage_preset(self.instance.plan.audiences[0], self.instance.stage)
        for name in ("opportunity", "strategy", "actions"):
            self.fields[name].widget.attrs["placeholder"] = getattr(preset, f"{name}_hint")

    def clean_primary_kpi(self) -> KPI | None:
        choice = self.cleaned_data.get("primary_kpi") or ""
        return _picked_kpi(choice, self._kpis, self.instance, "primary_kpi")


ITEM_FORMS: dict[str, type[StageItemForm]] = {
    "objective": ObjectiveForm,
    "tactic": TacticForm,
    "kpi": KPIForm,
}


# --------------------------------------------------------------------------------------------
# Plans: new plan and settings
# --------------------------------------------------------------------------------------------

CURRENCY_HELP = "Three-letter ISO code, e.g. EUR, USD, GBP."


def _currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValidationError("Use a three-letter currency code such as EUR or USD.")
    return code


def _period(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    start, end = cleaned.get("period_start"), cleaned.get("period_end")
    if start and end and end < start:
        form.add_error("period_end", "The period cannot end before it starts.")


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


class PlanCreateForm(forms.Form):
    START_CHOICES = [
        ("preset", "Start from the suggestions for this audience (tick the ones to take)"),
        ("blank", "Start with an empty plan"),
    ]

    workspace = forms.ChoiceField()
    name = forms.CharField(max_length=120, label="Plan name")
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.B2C)
    quarter = forms.ChoiceField(label="Period", required=False)
    period_start = forms.DateField(
        required=False, label="Starts (other dates)", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        required=False, label="Ends (other dates)", widget=forms.DateInput(attrs={"type": "date"})
    )
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
        _choices(self.fields["workspace"], [(str(w.pk), w.name) for w in workspaces])
        if len(workspaces) == 1:
            self.fields["workspace"].widget = forms.HiddenInput()
            self.fields["workspace"].initial = str(workspaces[0].pk)
        quarters = planning.quarter_choices(today)
        _choices(
            self.fields["quarter"],
            [*[(q.key, q.label) for q in quarters], ("", "Other dates (fill in below)")],
        )
        self.fields["quarter"].initial = quarters[0].key
        self.fields["quarter"].help_text = "Pick a quarter, or “Other dates” and set both dates."
        _choices(
            self.fields["preset_items"],
            [(key, key) for key in sorted(planning.preset_item_keys(AUDIENCES))],
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
            own = planning.preset_item_keys([audience])
            # An audience nothing was ticked for yet (just chosen): offer all of it.
            fresh = ticked is None or (not self.is_bound and not (ticked & own))
            for stage in Stage:
                preset = stage_preset(audience, stage.value)

                def item(key: str, label: str, detail: str) -> PickerItem:
                    return PickerItem(key, label, detail, fresh or key in (ticked or set()))  # noqa: B023

                groups = [
                    ("KPIs", [item(k.key, k.name, k.definition) for k in preset.kpis]),
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
            quarter = planning.Quarter.from_key(key)
            cleaned["period_start"], cleaned["period_end"] = quarter.start, quarter.end
        else:
            for name in ("period_start", "period_end"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "Pick a quarter above, or give both dates.")
            _period(self, cleaned)
        return cleaned

    def plan_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys: set[str] = set()
        if data["start_from"] == "preset":
            audiences = Plan(audience=data["audience"]).audiences
            keys = set(data["preset_items"]) & planning.preset_item_keys(audiences)
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
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
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
        _period(self, cleaned)
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
