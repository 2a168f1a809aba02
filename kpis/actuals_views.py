"""Entering actuals: per KPI add / edit / delete, the weekly check-in, CSV import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis import csv_import
from kpis.formatting import amount
from kpis.forms import (
    CheckInForm,
    ConfirmImportForm,
    ImportForm,
    MeasurementEditForm,
    MeasurementForm,
)
from kpis.models import Measurement, Source
from plans import access
from plans.models import KPI, Plan, Stage
from plans.versioning import save_if_unchanged
from race_planner.http import HtmxHttpRequest

PREVIEW_ROWS = 100  # rows shown in an import preview; every row with an error is shown


def _prefix(kpi: KPI) -> str:
    return f"m{kpi.pk}"


def _new_form(kpi: KPI) -> MeasurementForm:
    return MeasurementForm(prefix=_prefix(kpi), initial={"date": timezone.localdate()})


def _actuals_url(plan: Plan, kpi: KPI | None = None) -> str:
    url = reverse("kpis-actuals", args=[plan.pk])
    return f"{url}#kpi-{kpi.pk}" if kpi else url


def _kpi_entry(kpi: KPI, form: MeasurementForm | None = None, notice: str = "") -> dict[str, Any]:
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


def _section(
    request: HtmxHttpRequest,
    plan: Plan,
    kpi: KPI,
    form: MeasurementForm | None = None,
    notice: str = "",
) -> HttpResponse:
    context = {"plan": plan, "entry": _kpi_entry(kpi, form, notice), "can_edit": True}
    return render(request, "kpis/actuals.html#kpi-section", context)


def _actuals_page(
    request: HtmxHttpRequest, plan: Plan, bound: MeasurementForm | None = None, bound_kpi: int = 0
) -> HttpResponse:
    kpis = KPI.objects.filter(plan=plan).prefetch_related(
        Prefetch("measurements", Measurement.objects.order_by("-date"), to_attr="recent")
    )
    by_stage: dict[str, list[dict[str, Any]]] = {stage.value: [] for stage in Stage}
    for kpi in kpis.order_by("position", "id"):
        form = bound if kpi.pk == bound_kpi else None
        by_stage[kpi.stage].append(_kpi_entry(kpi, form))
    stages = [(stage, by_stage[stage.value]) for stage in Stage if by_stage[stage.value]]
    context = {"plan": plan, "stages": stages, "can_edit": access.can_edit(plan)}
    return render(request, "kpis/actuals.html", context)


@require_GET
@login_required
def actuals(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    return _actuals_page(request, plan)


def _save(request: HtmxHttpRequest, kpi: KPI, form: MeasurementForm) -> tuple[Measurement, bool]:
    """Save the form's value; a value for a date already measured replaces that one."""
    data = form.cleaned_data
    measurement, created = Measurement.objects.update_or_create(
        kpi=kpi,
        date=data["date"],
        defaults={
            "value": data["value"],
            "note": data["note"],
            "source": Source.MANUAL,
            "recorded_by": request.user if request.user.is_authenticated else None,
        },
    )
    return measurement, created


def _saved_notice(plan: Plan, kpi: KPI, measurement: Measurement, created: bool) -> str:
    verb = "Added" if created else "Updated"
    notice = f"{verb} {amount(measurement.value)} for {kpi.name} on {measurement.date:%-d %b %Y}."
    if not plan.period_start <= measurement.date <= plan.period_end:
        notice += " That date is outside the plan period, so the dashboard will not show it."
    return notice


@require_POST
@login_required
def measurement_add(request: HtmxHttpRequest, plan_id: int, kpi_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    kpi = get_object_or_404(KPI, plan=plan, pk=kpi_id)
    form = MeasurementForm(request.POST, prefix=_prefix(kpi))
    if not form.is_valid():
        if request.htmx:
            return _section(request, plan, kpi, form)
        return _actuals_page(request, plan, form, kpi.pk)
    with transaction.atomic():
        measurement, created = _save(request, kpi, form)
    notice = _saved_notice(plan, kpi, measurement, created)
    if request.htmx:
        return _section(request, plan, kpi, notice=notice)
    messages.success(request, notice)
    return HttpResponseRedirect(_actuals_url(plan, kpi))


def _plan_measurement(
    request: HtmxHttpRequest, plan_id: int, measurement_id: int
) -> tuple[Plan, Measurement]:
    plan = access.plan_for_editor(request.user, plan_id)
    measurement = get_object_or_404(
        Measurement.objects.of_live_kpis().select_related("kpi"), kpi__plan=plan, pk=measurement_id
    )
    return plan, measurement


@require_http_methods(["GET", "POST"])
@login_required
def measurement_edit(request: HtmxHttpRequest, plan_id: int, measurement_id: int) -> HttpResponse:
    plan, measurement = _plan_measurement(request, plan_id, measurement_id)
    kpi = measurement.kpi
    form = MeasurementEditForm(
        request.POST or None, instance=measurement, prefix=f"e{measurement.pk}"
    )
    if request.method == "POST" and form.is_valid() and not form.refuse_if_stale():
        clash = (
            Measurement.objects.filter(kpi=kpi, date=form.cleaned_data["date"])
            .exclude(pk=measurement.pk)
            .exists()
        )
        if clash:
            form.add_error("date", "This KPI already has a value on that date; edit that one.")
        else:
            form.instance.source = Source.MANUAL
            fields = ["date", "value", "note", "source"]
            if save_if_unchanged(form.instance, expected_version=form.seen_version, fields=fields):
                notice = _saved_notice(plan, kpi, form.instance, created=False)
                if request.htmx:
                    return _section(request, plan, kpi, notice=notice)
                messages.success(request, notice)
                return HttpResponseRedirect(_actuals_url(plan, kpi))
            # Saved by someone else between our check and our write: show theirs next to ours.
            measurement = Measurement.objects.get(pk=measurement.pk)
            form = MeasurementEditForm(
                request.POST, instance=measurement, prefix=f"e{measurement.pk}"
            )
            if form.is_valid():
                form.refuse_if_stale()
    context = {"plan": plan, "kpi": kpi, "measurement": measurement, "form": form}
    if request.htmx:
        return render(request, "kpis/actuals.html#measurement-form-row", context)
    return render(request, "kpis/measurement_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def measurement_delete(request: HtmxHttpRequest, plan_id: int, measurement_id: int) -> HttpResponse:
    plan, measurement = _plan_measurement(request, plan_id, measurement_id)
    kpi = measurement.kpi
    if request.method == "POST":
        notice = f"Deleted the value of {kpi.name} on {measurement.date:%-d %b %Y}."
        measurement.delete()  # recorded in the history like any change
        if request.htmx:
            return _section(request, plan, kpi, notice=notice)
        messages.success(request, notice)
        return HttpResponseRedirect(_actuals_url(plan, kpi))
    context = {"plan": plan, "kpi": kpi, "measurement": measurement}
    return render(request, "kpis/measurement_delete.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def check_in(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    kpis = list(KPI.objects.filter(plan=plan).order_by("position", "id"))
    kpis.sort(key=lambda kpi: Stage.values.index(kpi.stage))
    form = CheckInForm(request.POST or None, kpis=kpis, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        on, note = form.cleaned_data["date"], form.cleaned_data["note"]
        user = request.user if request.user.is_authenticated else None
        with transaction.atomic():
            for kpi, value in form.values():
                Measurement.objects.update_or_create(
                    kpi=kpi,
                    date=on,
                    defaults={
                        "value": value,
                        "note": note,
                        "source": Source.MANUAL,
                        "recorded_by": user,
                    },
                )
        messages.success(request, f"Checked in {len(form.values())} value(s) for {on:%-d %b %Y}.")
        return redirect("kpis-dashboard", plan.pk)
    latest: dict[int, Measurement] = {}
    for measurement in Measurement.objects.of_live_kpis().filter(kpi__plan=plan).order_by("date"):
        latest[measurement.kpi_id] = measurement  # later dates overwrite earlier ones
    rows = [(kpi, latest.get(kpi.pk), form[CheckInForm.field_name(kpi)]) for kpi in kpis]
    return render(request, "kpis/check_in.html", {"plan": plan, "form": form, "rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def import_actuals(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_editor(request.user, plan_id)
    context: dict[str, Any] = {"plan": plan, "form": ImportForm()}
    if request.method == "POST" and "text" in request.POST:
        # The confirmation: the text comes back from the browser, so it is checked again.
        try:
            preview = csv_import.preview_actuals(plan, request.POST["text"])
        except csv_import.ImportRefused as refused:
            context["refused"] = str(refused)
        else:
            if preview.ok:
                user = request.user if request.user.is_authenticated else None
                try:
                    result = csv_import.commit_actuals(plan, preview, user=user)
                except csv_import.ImportRefused as refused:
                    context["refused"] = str(refused)
                    return render(request, "kpis/import.html", context)
                messages.success(
                    request,
                    f"Imported {result.created} new and {result.updated} updated value(s)"
                    + (f"; {result.unchanged} were already there." if result.unchanged else "."),
                )
                return redirect("kpis-dashboard", plan.pk)
            context["preview"] = preview
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                text = csv_import.decode(form.cleaned_data["file"].read())
                preview = csv_import.preview_actuals(plan, text)
            except csv_import.ImportRefused as refused:
                context["refused"] = str(refused)
            else:
                context["preview"] = preview
                if preview.ok:
                    context["confirm"] = ConfirmImportForm(initial={"text": text})
    if "preview" in context:
        context["shown"] = context["preview"].shown(PREVIEW_ROWS)
        context["hidden_rows"] = len(context["preview"].rows) - len(context["shown"])
    return render(request, "kpis/import.html", context)


@require_GET
@login_required
def export_actuals(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = access.plan_for_viewer(request.user, plan_id)
    # The BOM tells spreadsheet programs the file is UTF-8; the importer accepts it.
    response = HttpResponse(
        "\ufeff" + csv_import.export_csv(plan), content_type="text/csv; charset=utf-8"
    )
    name = slugify(plan.name) or f"plan-{plan.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-actuals.csv"'
    return response
