"""Forms of the measuring side: actuals, check-in, CSV upload, dashboard filters, calculator."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from kpis import csv_import
from kpis.formatting import amount
from kpis.models import Measurement
from kpis.progress import Status
from plans.models import KPI, Plan, PlanStatus, Workspace

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["date", "value", "note"]
        widgets = {"date": DATE_INPUT, "value": forms.NumberInput(attrs={"step": "any"})}


class MeasurementEditForm(MeasurementForm):
    """Editing a value: `seen` says which version of it the form was opened on."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Cleaning copies the input onto the instance; keep what is saved now for the message.
        saved = self.instance
        self.saved_version = str(saved.version)
        self.saved_text = f"{amount(saved.value)} on {saved.date:%-d %b %Y}" + (
            f" ({saved.note})" if saved.note else ""
        )
        if not self.is_bound:
            self.initial["seen"] = self.saved_version
            # 27.5, not the column's 27.5000.
            self.initial["value"] = format(saved.value.normalize(), "f")

    @property
    def seen_version(self) -> int:
        seen = str(self.cleaned_data.get("seen") or "")
        return int(seen) if seen.isdigit() else 0

    def refuse_if_stale(self) -> bool:
        """Refuse a form opened before someone else saved the value; True when refused."""
        if self.cleaned_data.get("seen") == self.saved_version:
            return False
        self.add_error(
            None,
            f"Someone changed this value while you were editing it: it is now {self.saved_text}. "
            "Nothing was overwritten; save again if your value should replace it.",
        )
        # The next save is made knowing the current value.
        data = dict(self.data.items())
        data[self.add_prefix("seen")] = self.saved_version
        self.data = data
        return True


class CheckInForm(forms.Form):
    """One value per KPI for one date: a weekly check-in in a single form."""

    date = forms.DateField(widget=DATE_INPUT, label="Date of the check-in")
    note = forms.CharField(required=False, max_length=300, label="Note for every value (optional)")

    def __init__(self, *args: Any, kpis: list[KPI], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            self.fields[self.field_name(kpi)] = forms.DecimalField(
                label=kpi.name,
                required=False,
                max_digits=16,
                decimal_places=4,
                widget=forms.NumberInput(attrs={"step": "any"}),
                help_text=f"Target {kpi.target.normalize():f} ({kpi.get_unit_display().lower()})",
            )

    @staticmethod
    def field_name(kpi: KPI) -> str:
        return f"kpi_{kpi.pk}"

    def values(self) -> list[tuple[KPI, Decimal]]:
        """The KPIs given a value, in form order."""
        return [
            (kpi, self.cleaned_data[self.field_name(kpi)])
            for kpi in self.kpis
            if self.cleaned_data.get(self.field_name(kpi)) is not None
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.values():
            raise forms.ValidationError("Enter a value for at least one KPI.")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file of actuals",
        help_text="Header kpi,date,value,note; ISO dates (2026-07-31); a point for decimals; "
        f"at most {csv_import.MAX_BYTES // (1024 * 1024)} MB and {csv_import.MAX_ROWS:,} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > csv_import.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {csv_import.MAX_BYTES // (1024 * 1024)} MB. "
                "Split it into smaller files and import them one after the other."
            )
        return upload


class ConfirmImportForm(forms.Form):
    """The checked file's text travels back with the confirmation and is checked again."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False)


class DashboardFilterForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="To", required=False, widget=DATE_INPUT)
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
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be on or after its start.")
        return cleaned

    def period(self) -> tuple[date | None, date | None, str | None]:
        """(start, end, audience) to hand to plan_snapshot; the whole plan when invalid."""
        if not self.is_valid():
            return None, None, None
        data = self.cleaned_data
        return data.get("start"), data.get("end"), data.get("audience") or None


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


class PortfolioFilterForm(forms.Form):
    workspace = forms.ModelChoiceField(
        queryset=Workspace.objects.none(), required=False, empty_label="All workspaces"
    )
    status = forms.ChoiceField(
        label="KPI status",
        required=False,
        choices=[("", "Any KPI status"), *[(s.value, s.label) for s in Status]],
    )
    plan_status = forms.ChoiceField(
        label="Plan state", required=False, choices=[("", "Any state"), *PlanStatus.choices]
    )
    quarter = forms.ChoiceField(label="Quarter", required=False)

    def __init__(self, *args: Any, workspaces: Any, quarters: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace_field = self.fields["workspace"]
        assert isinstance(workspace_field, forms.ModelChoiceField)
        workspace_field.queryset = workspaces
        quarter_field = self.fields["quarter"]
        assert isinstance(quarter_field, forms.ChoiceField)
        quarter_field.choices = [("", "Any quarter")] + [(q, q.replace("-", " ")) for q in quarters]


def _rate_field(label: str, *, initial: int) -> forms.DecimalField:
    """A conversion rate entered in percent, above 0 and at most 100."""
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_value=100,
        max_digits=6,
        decimal_places=3,
        initial=Decimal(initial),
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
    lead_to_customer = _rate_field("Lead-to-customer rate (%)", initial=10)
    visitor_to_lead = _rate_field("Visitor-to-lead rate (%)", initial=3)

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
