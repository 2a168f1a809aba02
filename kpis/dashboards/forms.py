"""Forms of the dashboards: filters of a plan's dashboard and of the portfolio, the calculator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from kpis.dashboards.progress import Status
from plans.models import Plan, PlanStatus, Workspace
from plans.quarters import Quarter
from race_planner.dates import date_field
from race_planner.forms import QuickSelect, end_not_before_start


def _attributes(attrs: dict[str, Any]) -> str:
    """Attributes as Django's widgets/attrs.html writes them: True bare, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    name = conditional_escape(widget["name"])
    return f'<input type="{widget["type"]}" name="{name}"{value}{_attributes(widget["attrs"])}>'


def _select(widget: dict[str, Any]) -> str:
    options = "".join(
        f'\n  <option value="{conditional_escape(option["value"])}"'
        f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>"
        for _, group, _ in widget["optgroups"]
        for option in group
    )
    name = conditional_escape(widget["name"])
    return f'<select name="{name}"{_attributes(widget["attrs"])}>{options}\n</select>'


class WrittenWidgets(DjangoTemplates):
    """Django's form renderer, but a date input or a select (without option groups) written in
    Python: the dashboard's filters are drawn on every view, and Django's widget templates
    (an include per attribute list and per option) were a fifth of a kept dashboard's time."""

    WRITERS: ClassVar[dict[str, Callable[[dict[str, Any]], str]]] = {
        "django/forms/widgets/date.html": _input,
        "django/forms/widgets/select.html": _select,
    }

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = self.WRITERS.get(template_name)
        if writer is None or any(group for group, _, _ in context["widget"].get("optgroups", [])):
            return str(super().render(template_name, context, request))
        return mark_safe(writer(context["widget"]))


class DashboardFilterForm(forms.Form):
    default_renderer: BaseRenderer = WrittenWidgets()

    start = date_field(label="From", required=False)
    end = date_field(label="To", required=False)
    audience = forms.ChoiceField(
        label="Audience",
        required=False,
        choices=[("", "B2C and B2B"), ("b2c", "B2C only"), ("b2b", "B2B only")],
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["start"].widget.attrs.update(min=plan.period_start, max=plan.period_end)
        self.fields["end"].widget.attrs.update(min=plan.period_start, max=plan.period_end)
        if plan.audience != "both":
            del self.fields["audience"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        end_not_before_start(
            self, "start", "end", "The end of the period must be on or after its start."
        )
        return cleaned

    def period(self) -> tuple[date | None, date | None, str | None]:
        """(start, end, audience) to hand to plan_snapshot; the whole plan when invalid."""
        if not self.is_valid():
            return None, None, None
        data = self.cleaned_data
        return data.get("start"), data.get("end"), data.get("audience") or None


class PortfolioFilterForm(forms.Form):
    workspace = forms.ModelChoiceField(
        queryset=Workspace.objects.none(),
        required=False,
        empty_label="All workspaces",
        widget=QuickSelect,
    )
    status = forms.ChoiceField(  # the Overall column: `progress.rollup`, which is never stale
        label="Overall",
        required=False,
        choices=[("", "Any overall status"), *[(s.value, s.label) for s in Status if s != "stale"]],
        widget=QuickSelect,
    )
    plan_status = forms.ChoiceField(
        label="Plan state",
        required=False,
        choices=[("", "Any state"), *PlanStatus.choices],
        widget=QuickSelect,
    )
    quarter = forms.ChoiceField(label="Quarter", required=False, widget=QuickSelect)

    def __init__(self, *args: Any, workspaces: Any, quarters: list[Quarter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace_field = self.fields["workspace"]
        assert isinstance(workspace_field, forms.ModelChoiceField)
        workspace_field.queryset = workspaces
        self.quarters = {quarter.key: quarter for quarter in quarters}
        quarter_field = self.fields["quarter"]
        assert isinstance(quarter_field, forms.ChoiceField)
        quarter_field.choices = [("", "Any quarter")] + [
            (q.key, f"Q{q.number} {q.year}") for q in quarters
        ]

    def filter(self, plans: QuerySet[Plan]) -> QuerySet[Plan]:
        """The plans that pass the filters; all of them when the filters are invalid."""
        if not self.is_valid():
            return plans
        data = self.cleaned_data
        if data["workspace"]:
            plans = plans.filter(workspace=data["workspace"])
        if data["plan_status"]:
            plans = plans.filter(status=data["plan_status"])
        if data["quarter"]:
            quarter = self.quarters[data["quarter"]]
            plans = plans.filter(period_start__lte=quarter.end, period_end__gte=quarter.start)
        return plans

    @property
    def kpi_status(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


# The calculator's usual rates, in percent; the dashboard's link falls back on them too.
DEFAULT_RATES: dict[str, Decimal] = {"lead_to_customer": Decimal(10), "visitor_to_lead": Decimal(3)}


def _rate_field(label: str, *, initial: Decimal) -> forms.DecimalField:
    """A conversion rate entered in percent, above 0 and at most 100."""
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_value=100,
        max_digits=6,
        decimal_places=3,
        initial=initial,
    )


class ReverseCalculatorForm(forms.Form):
    target_kind = forms.ChoiceField(
        label="Start from",
        choices=[("customers", "A customer target"), ("revenue", "A revenue target")],
        initial="customers",
        widget=forms.RadioSelect,
    )
    customers = forms.DecimalField(
        label="Customers wanted", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    revenue = forms.DecimalField(
        label="Revenue wanted", required=False, min_value=0, max_digits=16, decimal_places=2
    )
    average_order_value = forms.DecimalField(
        label="Average order value", required=False, max_digits=14, decimal_places=2
    )
    lead_to_customer = _rate_field(
        "Lead-to-customer rate (%)", initial=DEFAULT_RATES["lead_to_customer"]
    )
    visitor_to_lead = _rate_field(
        "Visitor-to-lead rate (%)", initial=DEFAULT_RATES["visitor_to_lead"]
    )

    def assumed(self, names: list[str]) -> list[str]:
        """Labels of the rates the dashboard filled in because the plan's were unusable."""
        return [
            str(self.fields[name].label).removesuffix(" (%)")
            for name in names
            if name in DEFAULT_RATES
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("target_kind") == "revenue":
            if cleaned.get("revenue") is None:
                self.add_error("revenue", "Enter the revenue you want to reach.")
            aov = cleaned.get("average_order_value")
            if aov is None or aov <= 0:
                self.add_error("average_order_value", "Enter an average order value above 0.")
        elif cleaned.get("target_kind") == "customers" and cleaned.get("customers") is None:
            self.add_error("customers", "Enter the number of customers you want.")
        return cleaned
