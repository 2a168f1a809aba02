"""Entering actuals: per KPI add / edit / delete, the weekly check-in, import (CSV or .xlsx)
and export (CSV, or the whole plan as .xlsx).

Every way in records values through `recording.record_actuals`; a correction goes through the
same `versioning.edit` as every other form of an editable row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from kpis.actuals import csv_export, csv_import, xlsx_export, xlsx_import
from kpis.actuals.forms import (
    CheckInForm,
    ConfirmImportForm,
    ImportForm,
    MeasurementEditForm,
    MeasurementForm,
)
from kpis.actuals.recording import Actual, ChangedMeanwhile, record_actual, record_actuals
from kpis.formatting import amount
from kpis.models import Measurement, Source
from plans import access, versioning
from plans.models import KPI, Plan, Stage
from race_planner.htmx import Fragment, for_htmx
from race_planner.http import AuthedRequest

ACTUALS = "kpis/actuals.html"
SAVED_MEANWHILE = (
    "Someone saved a value for the same day at the same moment, so nothing was saved. "
    "Your input is still here: save again."
)
PREVIEW_ROWS = 100  # rows shown in an import preview; every row with an error is shown


def _new_form(kpi: KPI, data: Any = None) -> MeasurementForm:
    return MeasurementForm(
        data, kpi=kpi, prefix=f"m{kpi.pk}", initial={"date": timezone.localdate()}
    )


def _actuals_url(plan: Plan, kpi: KPI) -> str:
    return f"{reverse('kpis-actuals', args=[plan.pk])}#kpi-{kpi.pk}"


def _entry(kpi: KPI, form: MeasurementForm | None = None, notice: str = "") -> dict[str, Any]:
    # `kpi.recent` is prefetched on the page; a single section reads it fresh.
    measurements = getattr(kpi, "recent", None)
    if measurements is None:
        measurements = list(kpi.measurements.order_by("-date"))
    return {
        "kpi": kpi,
        "measurements": measurements,
        "form": form or _new_form(kpi),
        "notice": notice,
    }


def _section(request: AuthedRequest, plan: Plan, kpi: KPI, **entry: Any) -> Fragment:
    context = {"plan": plan, "entry": _entry(kpi, **entry), "can_edit": access.can_edit(plan)}
    return Fragment(request, ACTUALS, "kpi-section", context)


def _stages(plan: Plan, bound: MeasurementForm | None = None) -> list[tuple[Stage, list[Any]]]:
    """Every KPI's entry by stage, for the whole page (`bound`: a form that came back)."""
    kpis = KPI.objects.filter(plan=plan).prefetch_related(
        Prefetch("measurements", Measurement.objects.order_by("-date"), to_attr="recent")
    )
    by_stage: dict[str, list[dict[str, Any]]] = {stage.value: [] for stage in Stage}
    for kpi in kpis.order_by("position", "id"):
        form = bound if bound is not None and bound.prefix == f"m{kpi.pk}" else None
        by_stage[kpi.stage].append(_entry(kpi, form))
    return [(stage, by_stage[stage.value]) for stage in Stage if by_stage[stage.value]]


@require_GET
def actuals(request: AuthedRequest, plan_id: int) -> TemplateResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    context = {"plan": plan, "stages": _stages(plan), "can_edit": access.can_edit(plan)}
    return TemplateResponse(request, ACTUALS, context)


def _saved_notice(plan: Plan, measurement: Measurement, *, created: bool) -> str:
    verb = "Added" if created else "Updated"
    on = f"{measurement.date:%-d %b %Y}"
    notice = f"{verb} {amount(measurement.value)} for {measurement.kpi.name} on {on}."
    if not plan.period_start <= measurement.date <= plan.period_end:
        notice += " That date is outside the plan period, so the dashboard will not show it."
    return notice


def _saved(
    request: AuthedRequest, plan: Plan, measurement: Measurement, *, created: bool
) -> HttpResponse:
    """The KPI's section with a notice (htmx), or back to it on the actuals page."""
    notice = _saved_notice(plan, measurement, created=created)
    if request.htmx:
        return _section(request, plan, measurement.kpi, notice=notice)
    messages.success(request, notice)
    return redirect(_actuals_url(plan, measurement.kpi))


@require_POST
@for_htmx(use_partial="kpi-section")
def measurement_add(request: AuthedRequest, plan_id: int, kpi_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    kpi = get_object_or_404(KPI, plan=plan, pk=kpi_id)
    form = _new_form(kpi, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actual = Actual(kpi=kpi, on=data["date"], value=data["value"], note=data["note"])
        try:
            measurement, created = record_actual(actual, user=request.user)
            return _saved(request, plan, measurement, created=created)
        except ChangedMeanwhile:
            form.add_error(None, SAVED_MEANWHILE)
    # The form with its errors: in its section (htmx) or on the whole page. The page's
    # entries are a callable, so the template builds them only when it shows them.
    context = {"plan": plan, "entry": _entry(kpi, form), "can_edit": access.can_edit(plan)}
    context["stages"] = lambda: _stages(plan, form)
    return TemplateResponse(request, ACTUALS, context)


def _plan_measurement(request: AuthedRequest, plan_id: int, measurement_id: int) -> Measurement:
    """A value of one of the plan's live KPIs, with `kpi.plan` (404 / 403 as for the plan)."""
    plan = access.plan_for_editor(request.user, plan_id)
    measurements = Measurement.objects.of_live_kpis().select_related("kpi")
    measurement = get_object_or_404(measurements, kpi__plan=plan, pk=measurement_id)
    measurement.kpi.plan = plan
    return measurement


def _edit_form(data: Any, measurement: Measurement) -> MeasurementEditForm:
    return MeasurementEditForm(data, instance=measurement, prefix=f"e{measurement.pk}")


@require_http_methods(["GET", "POST"])
@for_htmx(use_partial="measurement-form-row")
def measurement_edit(request: AuthedRequest, plan_id: int, measurement_id: int) -> HttpResponse:
    measurement = _plan_measurement(request, plan_id, measurement_id)
    plan, kpi = measurement.kpi.plan, measurement.kpi
    context: dict[str, Any] = {"plan": plan, "kpi": kpi, "measurement": measurement}
    if request.method == "GET":
        context["form"] = _edit_form(None, measurement)
        return TemplateResponse(request, "kpis/measurement_form.html", context)
    outcome = versioning.edit(measurement, _edit_form, request.POST)
    if outcome.saved:
        return _saved(request, plan, outcome.row, created=False)
    context |= {"measurement": outcome.row, **outcome.context}
    response = TemplateResponse(request, "kpis/measurement_form.html", context)
    return reswap(retarget(response, f"#m-{measurement.pk}"), "outerHTML")  # the row, not the KPI


@require_http_methods(["GET", "POST"])
def measurement_delete(request: AuthedRequest, plan_id: int, measurement_id: int) -> HttpResponse:
    measurement = _plan_measurement(request, plan_id, measurement_id)
    plan, kpi = measurement.kpi.plan, measurement.kpi
    if request.method == "GET":
        context = {"plan": plan, "kpi": kpi, "measurement": measurement}
        return TemplateResponse(request, "kpis/measurement_delete.html", context)
    notice = f"Deleted the value of {kpi.name} on {measurement.date:%-d %b %Y}."
    measurement.delete()  # recorded in the history like any change
    if request.htmx:
        return _section(request, plan, kpi, notice=notice)
    messages.success(request, notice)
    return redirect(_actuals_url(plan, kpi))


@require_http_methods(["GET", "POST"])
def check_in(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    kpis = sorted(
        plan.kpis.order_by("position", "id"), key=lambda kpi: Stage.values.index(kpi.stage)
    )
    # ?kpi=3&kpi=7 (a reminder's link) opens the check-in with just those KPIs.
    chosen = {value for value in request.GET.getlist("kpi") if value.isdigit()}
    if chosen and (picked := [kpi for kpi in kpis if str(kpi.pk) in chosen]):
        kpis = picked
    form = CheckInForm(request.POST or None, kpis=kpis, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        on, note = form.cleaned_data["date"], form.cleaned_data["note"]
        actuals = [Actual(kpi=kpi, on=on, value=value, note=note) for kpi, value in form.values()]
        try:
            record_actuals(actuals, source=Source.MANUAL, user=request.user)
            messages.success(request, f"Checked in {len(actuals)} value(s) for {on:%-d %b %Y}.")
            return redirect("kpis-dashboard", plan.pk)
        except ChangedMeanwhile:
            form.add_error(None, SAVED_MEANWHILE)
    latest: dict[int, Measurement] = {}
    for measurement in Measurement.objects.of_live_kpis().filter(kpi__plan=plan).order_by("date"):
        latest[measurement.kpi_id] = measurement  # later dates overwrite earlier ones
    rows = [(kpi, latest.get(kpi.pk), form[CheckInForm.field_name(kpi)]) for kpi in kpis]
    return TemplateResponse(
        request, "kpis/check_in.html", {"plan": plan, "form": form, "rows": rows}
    )


@require_http_methods(["GET", "POST"])
def import_actuals(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """Upload → preview (row by row) → confirm; the confirmation sends the text back and it is
    checked again, so nothing the browser sends is trusted."""
    plan = access.plan_for_editor(request.user, plan_id)
    context: dict[str, Any] = {"plan": plan, "form": ImportForm()}
    try:
        if "text" in request.POST:
            result = _confirm(request, plan, context)
            if result is not None:
                return result
        elif request.method == "POST":
            _preview(request, plan, context)
    except csv_import.ImportRefused as refused:
        context["refused"] = str(refused)
    return TemplateResponse(request, "kpis/import.html", context)


def _preview(request: AuthedRequest, plan: Plan, context: dict[str, Any]) -> None:
    form = context["form"] = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return
    upload = context["upload"] = form.cleaned_data["file"]
    preview, text = xlsx_import.preview_upload(plan, upload.name, upload.read())
    context |= {"preview": preview, **_shown(preview)}
    if preview.ok:
        context["confirm"] = ConfirmImportForm(initial={"text": text})


def _confirm(request: AuthedRequest, plan: Plan, context: dict[str, Any]) -> HttpResponse | None:
    """Import the confirmed text; None, with the preview in `context`, when it has errors now."""
    preview = csv_import.preview_actuals(plan, request.POST["text"])
    if not preview.ok:
        context |= {"preview": preview, **_shown(preview)}
        return None
    result = csv_import.commit_actuals(plan, preview, user=request.user)
    already = f"; {result.unchanged} were already there." if result.unchanged else "."
    messages.success(
        request, f"Imported {result.created} new and {result.updated} updated value(s){already}"
    )
    return redirect("kpis-dashboard", plan.pk)


def _shown(preview: csv_import.Preview) -> dict[str, Any]:
    shown = preview.shown(PREVIEW_ROWS)
    return {"shown": shown, "hidden_rows": len(preview.rows) - len(shown)}


@require_GET
def export_actuals(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    # The BOM tells spreadsheet programs the file is UTF-8; the importer accepts it.
    response = HttpResponse(
        "\ufeff" + csv_export.export_csv(plan), content_type="text/csv; charset=utf-8"
    )
    name = slugify(plan.name) or f"plan-{plan.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-actuals.csv"'
    return response


@require_GET
def export_xlsx(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """The plan as a workbook, made in the request as the CSV is: a fraction of a second for a
    demo plan, a few times the CSV's time at any size (benchmarks/exports.py)."""
    plan = access.plan_for_viewer(request.user, plan_id)
    response = HttpResponse(xlsx_export.export_xlsx(plan), content_type=xlsx_export.CONTENT_TYPE)
    name = slugify(plan.name) or f"plan-{plan.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
