"""Forms for entering actuals: one value, an edit, the weekly check-in, a CSV or .xlsx upload."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from kpis.actuals import csv_import
from kpis.actuals.recording import refusal
from kpis.actuals.xlsx_export import CONTENT_TYPE
from kpis.models import Measurement, Source
from plans.models import KPI
from plans.versioning import VersionedForm
from race_planner.dates import DATE_INPUT, date_field
from race_planner.numbers import VALUE_DIGITS, VALUE_PLACES, explain_limits


class MeasurementForm(forms.ModelForm):
    """A new value of `kpi`."""

    class Meta:
        model = Measurement
        fields = ["date", "value", "note"]
        widgets = {"date": DATE_INPUT, "value": forms.NumberInput(attrs={"step": "any"})}

    def __init__(self, *args: Any, kpi: KPI, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        explain_limits(self.fields["value"])

    def clean_value(self) -> Decimal:
        value: Decimal = self.cleaned_data["value"]
        problem = refusal(self.kpi, value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class MeasurementEditForm(VersionedForm):
    """Correcting a value, saved through `versioning.edit`: a stale form overwrites nothing."""

    class Meta:
        model = Measurement
        fields = ["date", "value", "note"]
        widgets = MeasurementForm.Meta.widgets

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["value"] = format(self.instance.value.normalize(), "f")  # not 27.5000

    def clean_value(self) -> Decimal:
        value: Decimal = self.cleaned_data["value"]
        problem = refusal(self.instance.kpi, value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_date(self) -> date:
        day: date = self.cleaned_data["date"]
        others = Measurement.objects.filter(kpi_id=self.instance.kpi_id, date=day)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This KPI already has a value on that date; edit that one.")
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.instance.source = Source.MANUAL  # corrected by hand, wherever it came from
        return cleaned

    def model_fields(self) -> list[str]:
        return [*super().model_fields(), "source"]


class CheckInForm(forms.Form):
    """One value per KPI for one date: a weekly check-in in a single form."""

    date = date_field(label="Date of the check-in")
    note = forms.CharField(required=False, max_length=300, label="Note for every value (optional)")

    def __init__(self, *args: Any, kpis: list[KPI], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            field = forms.DecimalField(
                label=kpi.name,
                required=False,
                max_digits=VALUE_DIGITS,
                decimal_places=VALUE_PLACES,
                widget=forms.NumberInput(attrs={"step": "any"}),
                help_text=f"Target {kpi.target.normalize():f} ({kpi.get_unit_display().lower()})",
            )
            explain_limits(field)
            self.fields[self.field_name(kpi)] = field

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
        for kpi, value in self.values():
            problem = refusal(kpi, value)
            if problem:
                self.add_error(self.field_name(kpi), problem)
        if not self.errors and not self.values():
            raise forms.ValidationError("Enter a value for at least one KPI.")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file of actuals (or Excel .xlsx)",
        help_text="Header kpi,date,value,note; ISO dates (2026-07-31); a point for decimals; "
        f"at most {csv_import.MAX_BYTES // (1024 * 1024)} MB and {csv_import.MAX_ROWS:,} rows. "
        "A workbook is read from its sheet “Actuals”, or else its first sheet.",
        widget=forms.ClearableFileInput(attrs={"accept": f".csv,text/csv,.xlsx,{CONTENT_TYPE}"}),
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
