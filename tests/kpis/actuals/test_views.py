"""Actuals: add / edit / delete per KPI, weekly check-in, CSV import and export pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kpis.actuals import csv_import
from kpis.actuals.forms import CheckInForm
from kpis.actuals.recording import Actual, record_actual
from kpis.models import Measurement
from plans.models import KPI, Plan
from tests.factories import make_kpi, make_measurement, make_plan

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse


@pytest.fixture
def kpi(plan: Plan) -> KPI:
    return make_kpi(plan=plan, name="Visitors")


def _add(client: Client, kpi: KPI) -> _MonkeyPatchedWSGIResponse:
    data = {f"m{kpi.pk}-date": "2026-07-06", f"m{kpi.pk}-value": "120", f"m{kpi.pk}-note": "wk 1"}
    response = client.post(reverse("kpis-measurement-add", args=[kpi.plan_id, kpi.pk]), data)
    return response


def test_actuals_page_lists_values(viewer_client: Client, kpi: KPI) -> None:
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120", note="launch week")
    html = viewer_client.get(reverse("kpis-actuals", args=[kpi.plan_id])).content.decode()
    assert "Visitors" in html and "launch week" in html
    assert "Add value" not in html and "Edit" not in html  # viewers read only


@pytest.mark.parametrize("kpis", [1, 12])
def test_actuals_page_queries_are_constant(
    editor_client: Client, plan: Plan, django_assert_max_num_queries, kpis: int
) -> None:
    for n in range(kpis):
        k = make_kpi(plan=plan)
        make_measurement(kpi=k, on=date(2026, 7, 6 + n % 20), value="1")
    with django_assert_max_num_queries(8):
        assert editor_client.get(reverse("kpis-actuals", args=[plan.pk])).status_code == 200


def test_actuals_page_empty_state(editor_client: Client, plan: Plan) -> None:
    assert (
        "No KPIs yet" in editor_client.get(reverse("kpis-actuals", args=[plan.pk])).content.decode()
    )


def test_add_value_plain_post_redirects_with_message(
    editor_client: Client, editor, kpi: KPI
) -> None:
    response = _add(editor_client, kpi)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#kpi-{kpi.pk}")
    m = Measurement.objects.get()
    assert (m.value, m.note, m.recorded_by) == (Decimal(120), "wk 1", editor)
    assert m.history.count() == 1
    page = editor_client.get(response["Location"]).content.decode()
    assert "Added 120 for Visitors on 6 Jul 2026." in page


def test_add_value_htmx_returns_section_and_same_date_updates(
    editor_client: Client, kpi: KPI
) -> None:
    url = reverse("kpis-measurement-add", args=[kpi.plan_id, kpi.pk])
    data = {f"m{kpi.pk}-date": "2026-07-06", f"m{kpi.pk}-value": "120"}
    response = editor_client.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="kpi-{kpi.pk}"' in html and "Added 120" in html
    data[f"m{kpi.pk}-value"] = "130"
    html = editor_client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "Updated 130" in html
    m = Measurement.objects.get()
    assert m.value == 130 and m.history.count() == 2


def test_a_value_outside_the_plan_period_is_saved_with_a_word_of_warning(
    editor_client: Client, kpi: KPI
) -> None:
    url = reverse("kpis-measurement-add", args=[kpi.plan_id, kpi.pk])
    inside = {f"m{kpi.pk}-date": "2026-07-06", f"m{kpi.pk}-value": "120"}
    html = editor_client.post(url, inside, HTTP_HX_REQUEST="true").content.decode()
    assert "outside the plan period" not in html
    before = {f"m{kpi.pk}-date": "2026-06-29", f"m{kpi.pk}-value": "100"}
    html = editor_client.post(url, before, HTTP_HX_REQUEST="true").content.decode()
    assert "Added 100 for Visitors on 29 Jun 2026." in html
    assert "outside the plan period, so the dashboard will not show it" in html
    assert Measurement.objects.count() == 2
    # The CSV preview says the same, per row and in sum, and still imports.
    content = b"kpi,date,value,note\nVisitors,2026-10-05,1,\nVisitors,2026-08-03,2,\n"
    html = _upload(editor_client, Plan.objects.get(pk=kpi.plan_id), content).content.decode()
    assert "1 row is dated outside the plan period (1 Jul 2026 – 30 Sep 2026)" in html
    assert html.count("· outside the plan period") == 1 and "Import 2 rows" in html


def test_add_value_invalid_rerenders_with_errors(editor_client: Client, kpi: KPI) -> None:
    url = reverse("kpis-measurement-add", args=[kpi.plan_id, kpi.pk])
    data = {f"m{kpi.pk}-date": "yesterday", f"m{kpi.pk}-value": "12x"}
    response = editor_client.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in html and "Enter a number, such as 1500" in html
    assert 'value="yesterday"' in html  # the input is kept
    plain = editor_client.post(url, data)
    assert plain.status_code == 200 and "Enter a valid date." in plain.content.decode()
    assert not Measurement.objects.exists()


def test_add_value_to_another_plans_kpi_is_404(editor_client: Client, plan: Plan) -> None:
    foreign = make_kpi(plan=make_plan())
    url = reverse("kpis-measurement-add", args=[plan.pk, foreign.pk])
    assert editor_client.post(url, {}).status_code == 404


def test_edit_value(editor_client: Client, kpi: KPI) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    url = reverse("kpis-measurement-edit", args=[kpi.plan_id, m.pk])
    row = editor_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert row.startswith(f'\n<tr id="m-{m.pk}"') or f'<tr id="m-{m.pk}"' in row
    assert 'value="120.0000"' in row or 'value="120"' in row
    page = editor_client.get(url).content.decode()
    assert "Edit the value of Visitors" in page
    data = {
        f"e{m.pk}-date": "2026-07-07",
        f"e{m.pk}-value": "125.5",
        f"e{m.pk}-note": "fixed",
        f"e{m.pk}-version": str(m.version),
    }
    html = editor_client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "Updated 125.5" in html
    m.refresh_from_db()
    assert (m.date, m.value, m.note) == (date(2026, 7, 7), Decimal("125.5"), "fixed")
    assert m.history.count() == 2


def test_edit_value_onto_a_measured_date_is_refused(editor_client: Client, kpi: KPI) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    make_measurement(kpi=kpi, on=date(2026, 7, 13), value="140")
    url = reverse("kpis-measurement-edit", args=[kpi.plan_id, m.pk])
    data = {
        f"e{m.pk}-date": "2026-07-13",
        f"e{m.pk}-value": "1",
        f"e{m.pk}-version": str(m.version),
    }
    response = editor_client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "already has a value on that date" in response.content.decode()
    m.refresh_from_db()
    assert m.value == 120
    plain = editor_client.post(url, {**data, f"e{m.pk}-value": ""})
    assert plain.status_code == 200 and "This field is required." in plain.content.decode()


def test_delete_value_confirms_then_deletes(editor_client: Client, kpi: KPI) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    url = reverse("kpis-measurement-delete", args=[kpi.plan_id, m.pk])
    confirm = editor_client.get(url).content.decode()
    assert "Delete this value?" in confirm and "Delete value" in confirm
    assert Measurement.objects.exists()
    html = editor_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Deleted the value of Visitors on 6 Jul 2026." in html
    assert not Measurement.objects.exists()
    assert Measurement.history.filter(id=m.pk, history_type="-").exists()


def test_delete_plain_post_redirects(editor_client: Client, kpi: KPI) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    response = editor_client.post(reverse("kpis-measurement-delete", args=[kpi.plan_id, m.pk]))
    assert response.status_code == 302 and not Measurement.objects.exists()


@pytest.mark.parametrize("name", ["kpis-measurement-edit", "kpis-measurement-delete"])
def test_viewer_cannot_change_values(viewer_client: Client, kpi: KPI, name: str) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    url = reverse(name, args=[kpi.plan_id, m.pk])
    assert (
        viewer_client.post(url, {f"e{m.pk}-date": "2026-07-06", f"e{m.pk}-value": "1"}).status_code
        == 403
    )
    assert viewer_client.post(url, HTTP_HX_REQUEST="true").status_code == 403
    m.refresh_from_db()
    assert m.value == 120


def test_outsider_gets_404(outsider_client: Client, kpi: KPI) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    for url in (
        reverse("kpis-actuals", args=[kpi.plan_id]),
        reverse("kpis-measurement-edit", args=[kpi.plan_id, m.pk]),
        reverse("kpis-export", args=[kpi.plan_id]),
        reverse("kpis-import", args=[kpi.plan_id]),
    ):
        assert outsider_client.get(url).status_code == 404


def test_check_in_saves_every_given_value(editor_client: Client, plan: Plan, kpi: KPI) -> None:
    leads = make_kpi(plan=plan, name="Leads", stage="act")
    spare = make_kpi(plan=plan, name="Spare", stage="engage")
    make_measurement(kpi=leads, on=date(2026, 7, 13), value="1")
    url = reverse("kpis-check-in", args=[plan.pk])
    page = editor_client.get(url).content.decode()
    assert f'for="id_kpi_{spare.pk}"' in page and "Save check-in" in page
    response = editor_client.post(
        url,
        {"date": "2026-07-13", "note": "week 2", f"kpi_{kpi.pk}": "150", f"kpi_{leads.pk}": "9"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("kpis-dashboard", args=[plan.pk])
    values = dict(Measurement.objects.values_list("kpi__name", "value"))
    assert values == {"Visitors": 150, "Leads": 9}
    assert Measurement.objects.get(kpi=leads).history.count() == 2


def test_check_in_needs_one_value_and_keeps_input(
    editor_client: Client, plan: Plan, kpi: KPI
) -> None:
    url = reverse("kpis-check-in", args=[plan.pk])
    html = editor_client.post(url, {"date": "2026-07-13"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Enter a value for at least one KPI." in html
    html = editor_client.post(url, {"date": "2026-07-13", f"kpi_{kpi.pk}": "lots"}).content.decode()
    assert "Enter a number, such as 1500" in html and 'value="lots"' in html
    assert not Measurement.objects.exists()


def test_viewer_cannot_open_check_in(viewer_client: Client, plan: Plan) -> None:
    assert viewer_client.get(reverse("kpis-check-in", args=[plan.pk])).status_code == 403


def _upload(
    client: Client, plan: Plan, content: bytes, *, htmx: bool = False
) -> _MonkeyPatchedWSGIResponse:
    upload = SimpleUploadedFile("actuals.csv", content, content_type="text/csv")
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        reverse("kpis-import", args=[plan.pk]), {"file": upload}, headers=headers
    )
    return response


def test_import_preview_then_commit(editor_client: Client, plan: Plan, kpi: KPI) -> None:
    assert (
        "Choose a file"
        in editor_client.get(reverse("kpis-import", args=[plan.pk])).content.decode()
    )
    content = b"kpi,date,value,note\nVisitors,2026-07-06,120,\nVisitors,2026-07-13,150,\n"
    preview = _upload(editor_client, plan, content)
    html = preview.content.decode()
    assert "Check and import" in html and "Import 2 rows" in html
    assert not Measurement.objects.exists()  # nothing saved by the preview
    response = editor_client.post(
        reverse("kpis-import", args=[plan.pk]), {"text": content.decode()}
    )
    assert response.status_code == 302
    assert Measurement.objects.count() == 2
    page = editor_client.get(response["Location"]).content.decode()
    assert "Imported 2 new and 0 updated value(s)." in page


def test_import_with_errors_shows_rows_and_saves_nothing(
    editor_client: Client, plan: Plan, kpi: KPI
) -> None:
    content = b"kpi,date,value,note\nVisitors,2026-07-06,120,\nVistors,2026-07-13,150,\n"
    html = _upload(editor_client, plan, content, htmx=True).content.decode()
    assert "1 of 2 rows cannot be imported." in html
    assert "No KPI called “Vistors” in this plan." in html
    assert "Import 2 rows" not in html
    # A tampered confirmation is checked again and refused.
    response = editor_client.post(
        reverse("kpis-import", args=[plan.pk]), {"text": content.decode()}
    )
    assert response.status_code == 200 and "cannot be imported" in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "The submitted file is empty."),
        (b"kpi;date;value;note\n", "separated by semicolons"),
        ("kpi,date,value,note\nVisitors,2026-07-06,1,Grüße\n".encode("cp1252"), "not UTF-8"),
    ],
)
def test_import_refusals(
    editor_client: Client, plan: Plan, kpi: KPI, content: bytes, message: str
) -> None:
    response = _upload(editor_client, plan, content)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "rows,status,message",
    [
        (73_000, 200, "The file is larger than 2 MB."),  # 2.1 MB: the import form says so
        (80_000, 413, "more than 2 MB, the most a file"),  # 2.3 MB: refused before it is read
    ],
)
def test_import_over_the_size_limit(
    editor_client: Client, plan: Plan, rows: int, status: int, message: str
) -> None:
    content = b"kpi,date,value,note\n" + b"Visitors,2026-07-06,1,padding\n" * rows
    assert len(content) > csv_import.MAX_BYTES
    response = _upload(editor_client, plan, content)
    assert response.status_code == status and message in response.content.decode()


def test_a_file_near_the_limits_goes_through_the_confirmation(
    editor_client: Client, plan: Plan, kpi: KPI
) -> None:
    """8,000 rows, 2.0 MB with dashes in the notes: URL-encoded it would pass Django's 5 MB bound."""
    from urllib.parse import urlencode

    from django.conf import settings

    note = "–" * 75  # three bytes in UTF-8, nine characters URL-encoded
    rows = [f"Visitors,{date.fromordinal(738000 + n)},{n},{note}" for n in range(8_000)]
    content = ("kpi,date,value,note\n" + "\n".join(rows) + "\n").encode()
    assert 1.9e6 < len(content) <= csv_import.MAX_BYTES
    assert len(urlencode({"text": content.decode()})) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    html = _upload(editor_client, plan, content).content.decode()
    assert "Import 8000 rows" in html
    confirm = html[html.index("<form", html.index("</table>")) :]
    assert 'enctype="multipart/form-data"' in confirm.split(">")[0]
    response = editor_client.post(  # the test client sends multipart, as the form now does
        reverse("kpis-import", args=[plan.pk]), {"text": content.decode()}
    )
    assert response.status_code == 302
    assert Measurement.objects.count() == 8_000


def test_viewer_cannot_import(viewer_client: Client, plan: Plan) -> None:
    assert _upload(viewer_client, plan, b"kpi,date,value,note\n").status_code == 403
    assert viewer_client.get(reverse("kpis-import", args=[plan.pk])).status_code == 403


def test_export_csv(viewer_client: Client, plan: Plan, kpi: KPI) -> None:
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120", note="=cmd()")
    response = viewer_client.get(reverse("kpis-export", args=[plan.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="spring-push-actuals.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffkpi,date,value,note\r\n")
    assert "Visitors,2026-07-06,120,'=cmd()" in text


def test_edit_from_a_stale_form_overwrites_nothing(editor_client: Client, kpi: KPI) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    url = reverse("kpis-measurement-edit", args=[kpi.plan_id, m.pk])
    opened = str(m.version)
    data = {
        f"e{m.pk}-date": "2026-07-06",
        f"e{m.pk}-value": "999",
        f"e{m.pk}-version": opened,
    }
    # Someone else saves meanwhile, by hand.
    record_actual(Actual(kpi=kpi, on=date(2026, 7, 6), value=Decimal(130)), user=None)
    html = editor_client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "someone else saved this while you were editing" in html
    assert "<dt>Value</dt><dd>130</dd>" in html  # theirs
    assert 'value="999"' in html  # the user's input is kept
    m.refresh_from_db()
    assert m.value == 130
    # Sending the form again (now knowing the current value) saves it.
    fresh = {**data, f"e{m.pk}-version": str(m.version)}
    assert "Updated 999" in editor_client.post(url, fresh, HTTP_HX_REQUEST="true").content.decode()


def test_an_import_or_check_in_makes_an_open_edit_form_stale(
    editor_client: Client, plan: Plan, kpi: KPI
) -> None:
    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    url = reverse("kpis-measurement-edit", args=[kpi.plan_id, m.pk])
    mine = {f"e{m.pk}-date": "2026-07-06", f"e{m.pk}-value": "999", f"e{m.pk}-version": "1"}
    preview = csv_import.preview_actuals(plan, b"kpi,date,value,note\nVisitors,2026-07-06,130,\n")
    csv_import.commit_actuals(plan, preview, user=None)
    html = editor_client.post(url, mine, HTTP_HX_REQUEST="true").content.decode()
    assert "someone else saved this while you were editing" in html
    assert "<dt>Value</dt><dd>130</dd>" in html
    mine[f"e{m.pk}-version"] = "2"
    check_in = {"date": "2026-07-06", CheckInForm.field_name(kpi): "140"}
    editor_client.post(reverse("kpis-check-in", args=[plan.pk]), check_in)
    html = editor_client.post(url, mine, HTTP_HX_REQUEST="true").content.decode()
    assert "<dt>Value</dt><dd>140</dd>" in html
    m.refresh_from_db()
    assert (m.value, m.version) == (Decimal(140), 3)


def test_check_in_shows_each_kpis_latest_value(editor_client: Client, plan: Plan, kpi: KPI) -> None:
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    make_measurement(kpi=kpi, on=date(2026, 7, 13), value="150")
    make_kpi(plan=plan, name="Leads")
    html = editor_client.get(reverse("kpis-check-in", args=[plan.pk])).content.decode()
    assert "150 <span" in html and "on 13 Jul" in html and "None yet" in html


@pytest.mark.django_db(transaction=True)
def test_an_edit_onto_a_day_filled_meanwhile_is_told_so(
    editor_client: Client, kpi: KPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form's check found the day free; another person filled it before the save."""
    from plans import versioning

    m = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    save = versioning.save_if_unchanged

    def filled_first(row: Any, **kwargs: Any) -> bool:
        make_measurement(kpi=kpi, on=date(2026, 7, 13), value="7")
        return save(row, **kwargs)

    monkeypatch.setattr(versioning, "save_if_unchanged", filled_first)
    url = reverse("kpis-measurement-edit", args=[kpi.plan_id, m.pk])
    data = {f"e{m.pk}-date": "2026-07-13", f"e{m.pk}-value": "1", f"e{m.pk}-version": "1"}
    response = editor_client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        "someone saved something with the same name or on the same day" in response.content.decode()
    )
    m.refresh_from_db()
    assert (m.date, m.value) == (date(2026, 7, 6), 120)
