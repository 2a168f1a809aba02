"""The portfolio and its status filter read each plan's stored row (`PlanRollup`) while it
holds: every way of changing what a plan's row depends on shows at once, on the page and in
the filter, to another user with another role (an editor writes, a viewer reads)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from api import tokens
from kpis.actuals import xlsx_export
from kpis.models import Measurement, PlanRollup
from plans.models import KPI, Plan, Workspace
from tests.factories import make_kpi, make_measurement, make_plan

URL = reverse("kpis-portfolio")
TODAY = timezone.localdate()


@pytest.fixture
def kpi(workspace: Workspace) -> KPI:
    """A plan 30 days into its 91 with one KPI from 0 to 91: yesterday's 30 is on track."""
    start = TODAY - timedelta(days=30)
    plan = make_plan(
        workspace=workspace, name="Tracked", period_start=start, period_end=start + timedelta(91)
    )
    kpi = make_kpi(plan=plan, name="Visitors", baseline="0", target="91")
    make_measurement(kpi=kpi, on=TODAY - timedelta(days=1), value="30")
    return kpi


def _filtered(client: Client, status: str) -> set[str]:
    """The names of the plans the viewer's filter finds with this Overall colour."""
    page = client.get(URL, {"status": status})
    return {row.plan.name for row in page.context["rows"]}


def _overall(client: Client) -> tuple[str, str]:
    """The plan's Overall colour and its Reach cell (where its KPI is) on the unfiltered page."""
    (row,) = client.get(URL).context["rows"]
    return row.kpis.status.value, row.stages[1][1].value


def _judged_and_kept(viewer_client: Client, status: str) -> None:
    assert _filtered(viewer_client, status) == {"Tracked"}
    assert PlanRollup.objects.get().status == status  # the next request reads it
    assert _overall(viewer_client)[0] == status


def _check_in(client: Client, kpi: KPI) -> None:
    data = {"date": TODAY.isoformat(), f"kpi_{kpi.pk}": "10"}
    assert client.post(reverse("kpis-check-in", args=[kpi.plan_id]), data).status_code == 302


def _add_value(client: Client, kpi: KPI) -> None:
    data = {f"m{kpi.pk}-date": TODAY.isoformat(), f"m{kpi.pk}-value": "10"}
    url = reverse("kpis-measurement-add", args=[kpi.plan_id, kpi.pk])
    assert client.post(url, data).status_code == 302


def _edit_value(client: Client, kpi: KPI) -> None:
    actual = Measurement.objects.get(kpi=kpi)
    data = {
        f"e{actual.pk}-date": actual.date.isoformat(),
        f"e{actual.pk}-value": "10",
        f"e{actual.pk}-note": "",
        f"e{actual.pk}-version": str(actual.version),
    }
    url = reverse("kpis-measurement-edit", args=[kpi.plan_id, actual.pk])
    assert client.post(url, data).status_code == 302


def _import_csv(client: Client, kpi: KPI) -> None:
    text = f"kpi,date,value,note\nVisitors,{TODAY.isoformat()},10,\n"
    url = reverse("kpis-import", args=[kpi.plan_id])
    assert client.post(url, {"text": text}).status_code == 302


def _import_xlsx(client: Client, kpi: KPI) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actuals"
    sheet.append(["kpi", "date", "value", "note"])
    sheet.append(["Visitors", TODAY.isoformat(), 10, ""])
    data = io.BytesIO()
    workbook.save(data)
    upload = SimpleUploadedFile("a.xlsx", data.getvalue(), content_type=xlsx_export.CONTENT_TYPE)
    url = reverse("kpis-import", args=[kpi.plan_id])
    preview = client.post(url, {"file": upload})
    assert client.post(url, {"text": preview.context["confirm"].initial["text"]}).status_code == 302


def _through_the_api(client: Client, kpi: KPI) -> None:
    editor = User.objects.get(pk=client.session["_auth_user_id"])  # the writer's own token
    secret = tokens.create_token(editor, label="import", expires_on=None).secret
    response = Client().post(
        f"/api/v1/plans/{kpi.plan_id}/kpis/{kpi.pk}/actuals",
        {"date": TODAY.isoformat(), "value": "10"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code in (200, 201)


def _kpi_form(client: Client, kpi: KPI, **values: str) -> None:
    data = {
        "name": kpi.name,
        "audience": "all",
        "unit": "count",
        "direction": "up",
        "baseline": "0",
        "target": "91",
        "definition": "",
        "description": "",
        "version": str(kpi.version),
    } | values
    url = reverse("plans-item-update", args=[kpi.plan_id, "kpi", kpi.pk])
    response = client.post(url, {f"kpi-{kpi.pk}-{k}": v for k, v in data.items()})
    assert response.status_code == 302


def _new_target(client: Client, kpi: KPI) -> None:
    _kpi_form(client, kpi, target="910")  # 30 is far behind the pace to 910


def _new_baseline(client: Client, kpi: KPI) -> None:
    _kpi_form(client, kpi, baseline="60")  # from 60 to 91, 30 is below where it started


def _new_period(client: Client, kpi: KPI) -> None:
    plan = Plan.objects.get(pk=kpi.plan_id)
    data = {
        "name": plan.name,
        "period_start": (TODAY - timedelta(days=80)).isoformat(),  # 80 days in, not 30
        "period_end": plan.period_end.isoformat(),
        "status": plan.status,
        "currency": plan.currency,
        "summary": "",
        "version": str(plan.version),
    }
    assert client.post(reverse("plans-settings", args=[plan.pk]), data).status_code == 302


WRITES: dict[str, Callable[[Client, KPI], None]] = {
    "add a value": _add_value,
    "check-in": _check_in,
    "edit a value": _edit_value,
    "CSV import": _import_csv,
    "xlsx import": _import_xlsx,
    "API": _through_the_api,
    "KPI target": _new_target,
    "KPI baseline": _new_baseline,
    "plan period": _new_period,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_that_puts_the_plan_off_track_shows_at_once(
    editor_client: Client,
    viewer_client: Client,
    kpi: KPI,
    write: Callable[[Client, KPI], None],
) -> None:
    _judged_and_kept(viewer_client, "on_track")
    write(editor_client, kpi)
    assert _overall(viewer_client) == ("off_track", "off_track")
    assert _filtered(viewer_client, "on_track") == set()
    assert _filtered(viewer_client, "off_track") == {"Tracked"}


def test_deleting_the_value_or_the_kpi_and_restoring_it_show_at_once(
    editor_client: Client, viewer_client: Client, kpi: KPI
) -> None:
    _judged_and_kept(viewer_client, "on_track")
    actual = Measurement.objects.get(kpi=kpi)
    editor_client.post(reverse("kpis-measurement-delete", args=[kpi.plan_id, actual.pk]))
    _judged_and_kept(viewer_client, "no_data")
    make_measurement(kpi=kpi, on=TODAY, value="30")
    _judged_and_kept(viewer_client, "on_track")
    editor_client.post(reverse("plans-item-delete", args=[kpi.plan_id, "kpi", kpi.pk]))
    _judged_and_kept(viewer_client, "no_data")  # a plan without KPIs
    record = KPI.history.get(id=kpi.pk, history_type="-")
    url = reverse("plans-history-restore", args=[kpi.plan_id, "kpi", record.pk])
    assert editor_client.post(url).status_code == 302
    _judged_and_kept(viewer_client, "on_track")


def test_a_colour_judged_another_day_is_judged_again(viewer_client: Client, kpi: KPI) -> None:
    _judged_and_kept(viewer_client, "on_track")
    # Stored yesterday when it was on track, before an actual nobody has written since went
    # stale: the filter must not believe it today.
    PlanRollup.objects.update(
        judged_on=TODAY - timedelta(days=1), status="off_track", stages="no_data:0 " * 5
    )
    assert _overall(viewer_client) == ("on_track", "on_track")
    PlanRollup.objects.update(judged_on=TODAY - timedelta(days=1), status="off_track")
    assert _filtered(viewer_client, "off_track") == set()
    _judged_and_kept(viewer_client, "on_track")
