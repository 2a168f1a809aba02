"""Forms of the worksheet: stage texts, objectives, tactics and KPIs.

Every form of an editable row carries the row's `version` (see `plans/versioning.py`). Choices
that point at other rows of the plan (an objective's KPI, a tactic's objective, a stage's
primary KPI) come from lists the caller already loaded, so rendering a form costs no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from plans.models import (
    KPI,
    Audience,
    Cadence,
    ItemAudience,
    Objective,
    Plan,
    StageWorksheet,
    Tactic,
    Unit,
    allows_negative,
    members_of,
    name_key,
    person,
)
from plans.presets import stage_preset
from plans.versioning import VersionedForm
from race_planner.dates import DATE_INPUT
from race_planner.forms import (
    QuickSelect,
    WholeNumberField,
    WrittenInPython,
    end_not_before_start,
    set_choices,
    widget_attributes,
)


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
    position = WholeNumberField(
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
                set_choices(
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
            "target_date": DATE_INPUT,
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
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
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
        message = "The end date cannot be before the start date."
        end_not_before_start(self, "start_date", "end_date", message)
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
            "owner",
            "cadence",
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
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = members_of(self.plan.workspace_id)
        owner.empty_label = "— the plan's creator —"
        owner.label_from_instance = person  # type: ignore[assignment]
        self.fields["cadence"].help_text = "When its owner is reminded to record an actual."
        self.fields["cadence"].required = False  # a form sent without it keeps the KPI's
        if not self.instance.pk:
            self.initial.setdefault("owner", self.plan.created_by_id)

    def clean_cadence(self) -> str:
        return str(self.cleaned_data.get("cadence") or self.instance.cadence or Cadence.WEEKLY)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        others = KPI.objects.filter(plan=self.plan).exclude(pk=self.instance.pk)
        taken = [
            other
            for other in others.values_list("name", flat=True)
            if name_key(other) == name_key(name)
        ]
        if taken:
            raise ValidationError(
                f"This plan already has a KPI with that name (“{taken[0]}”); KPI names are "
                "unique within a plan, whatever their capitals."
            )
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not allows_negative(cleaned.get("unit", "")):
            for name, label in (("baseline", "The baseline"), ("target", "The target")):
                value = cleaned.get(name)
                if value is not None and value < 0:
                    self.add_error(name, f"{label} cannot be negative for this unit.")
        return cleaned


class NotesTextarea(WrittenInPython, forms.Textarea):
    """django/forms/widgets/textarea.html; the worksheet page shows fifteen."""

    def html(self, name: str, widget: dict[str, Any]) -> str:
        text = escape(str(widget["value"])) if widget["value"] else ""
        return f'<textarea name="{name}"{widget_attributes(widget["attrs"])}>\n{text}</textarea>'


class WorksheetForm(VersionedForm):
    primary_kpi = forms.ChoiceField(
        label="Primary KPI (funnel volume)",
        required=False,
        widget=QuickSelect,
        help_text="The number that measures how many people this stage moves along.",
    )
    picked_links = ("primary_kpi",)

    class Meta:
        model = StageWorksheet
        fields = ["opportunity", "strategy", "actions", "primary_kpi"]
        widgets = {
            name: NotesTextarea(attrs={"rows": 4})
            for name in ("opportunity", "strategy", "actions")
        }

    def __init__(self, *args: Any, kpis: Sequence[KPI] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The funnel divides one stage's volume by the next: only a count is a volume, so a
        # percentage, ratio, score or amount is neither offered nor accepted.
        volumes = [kpi for kpi in kpis if kpi.unit == Unit.COUNT]
        self._kpis = _choice_lookup(self.fields["primary_kpi"], volumes, "primary KPI")
        self.initial["primary_kpi"] = str(self.instance.primary_kpi_id or "")
        self.not_a_volume = not_a_volume_message(self.instance.funnel_kpi)
        # The preset's examples as placeholders (the plan is loaded with the worksheet).
        preset = stage_preset(self.instance.plan.audiences[0], self.instance.stage)
        for name in ("opportunity", "strategy", "actions"):
            self.fields[name].widget.attrs["placeholder"] = getattr(preset, f"{name}_hint")

    def clean_primary_kpi(self) -> KPI | None:
        choice = self.cleaned_data.get("primary_kpi") or ""
        return _picked_kpi(choice, self._kpis, self.instance, "primary_kpi")


def not_a_volume_message(kpi: KPI | None) -> str:
    """Why a stage's current primary KPI (saved before counts were required) cannot measure
    the funnel, or "" when it can."""
    if kpi is None or kpi.unit == Unit.COUNT:
        return ""
    return (
        f"“{kpi.name}” is not a count (its unit is {kpi.get_unit_display().lower()}), so the "
        "funnel cannot use it as this stage’s volume. Pick a count KPI, or add one."
    )


ITEM_FORMS: dict[str, type[StageItemForm]] = {
    "objective": ObjectiveForm,
    "tactic": TacticForm,
    "kpi": KPIForm,
}
