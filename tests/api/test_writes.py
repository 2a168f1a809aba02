"""Recording actuals through the API: one at a time and in bulk, with every kind of token."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import Measurement, Source
from plans.models import PlanStatus
from tests.factories import make_kpi, make_measurement, make_plan


def one(plan, kpi):
    return f"/api/v1/plans/{plan.pk}/kpis/{kpi.pk}/actuals"


def bulk(plan):
    return f"/api/v1/plans/{plan.pk}/actuals"


def both_writes(plan, kpi):
    """The same actual sent to the one-actual and the bulk endpoint."""
    return [
        (one(plan, kpi), {"date": "2026-07-08", "value": 1}),
        (bulk(plan), {"actuals": [{"kpi": kpi.pk, "date": "2026-07-08", "value": 1}]}),
    ]


@pytest.mark.parametrize("member", ["editor", "admin_member"])
def test_writers_record_one_actual_and_a_repeat_updates_it(request, api_as, plan, kpi, member):
    client = api_as(request.getfixturevalue(member))
    created = client.post(one(plan, kpi), {"date": "2026-07-08", "value": "1250.5", "note": "GA4"})
    assert created.status_code == 201
    assert created.json()["value"] == "1250.5" and created.json()["source"] == "api"
    again = client.post(one(plan, kpi), {"date": "2026-07-08", "value": 1300})
    assert again.status_code == 200
    saved = Measurement.objects.get(kpi=kpi)
    assert (saved.value, saved.note, saved.source) == (Decimal("1300"), "GA4", Source.API)


def test_a_viewer_s_token_reads_but_cannot_write(api_as, viewer, plan, kpi):
    client = api_as(viewer)
    for path, payload in both_writes(plan, kpi):
        response = client.post(path, payload)
        assert response.status_code == 403
        assert "viewer" in response.json()["message"]
    assert not Measurement.objects.exists()


def test_an_outsider_s_writes_are_404(api_as, outsider, plan, kpi):
    client = api_as(outsider)
    assert client.post(one(plan, kpi), {"date": "2026-07-08", "value": 1}).status_code == 404
    response = client.post(
        bulk(plan), {"actuals": [{"kpi": kpi.pk, "date": "2026-07-08", "value": 1}]}
    )
    assert response.status_code == 404
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("state", ["revoked", "expired"])
def test_revoked_and_expired_tokens_cannot_write(api_as, editor, plan, kpi, state):
    response = api_as(editor, state=state).post(one(plan, kpi), {"date": "2026-07-08", "value": 1})
    assert response.status_code == 401
    assert not Measurement.objects.exists()


def test_archived_plans_refuse_writes_with_the_reason(api_as, editor, workspace):
    plan = make_plan(workspace=workspace, status=PlanStatus.ARCHIVED)
    kpi = make_kpi(plan=plan)
    client = api_as(editor)
    for path, payload in both_writes(plan, kpi):
        response = client.post(path, payload)
        assert response.status_code == 403
        assert "archived" in response.json()["message"]
    assert client.get(f"/api/v1/plans/{plan.pk}/kpis/{kpi.pk}").status_code == 200


def test_a_kpi_of_another_plan_cannot_be_written_through_this_one(api_as, editor, plan, workspace):
    other = make_kpi(plan=make_plan(workspace=workspace))
    client = api_as(editor)
    assert client.post(one(plan, other), {"date": "2026-07-08", "value": 1}).status_code == 404
    response = client.post(
        bulk(plan), {"actuals": [{"kpi": other.pk, "date": "2026-07-08", "value": 1}]}
    )
    assert response.status_code == 422
    assert response.json()["rows"] == [
        {"row": 0, "errors": [f"No KPI with id {other.pk} in this plan."]}
    ]


def test_one_actual_is_checked_like_a_form_entry(api_as, editor, plan, workspace):
    rate = make_kpi(plan=plan, name="Conversion", unit="percent")
    client = api_as(editor)
    cases = {
        "1,5": "not a number",
        "-3": "cannot be negative",
        "1.00001": "more than 4 decimal places",
        "100000000000": "too large",
    }
    for value, message in cases.items():
        response = client.post(one(plan, rate), {"date": "2026-07-08", "value": value})
        assert response.status_code == 422, value
        assert message in response.json()["message"], value
    out_of_range = client.post(one(plan, rate), {"date": "1999-12-31", "value": 1})
    assert "Use a date from 1 Jan 2000" in out_of_range.json()["message"]
    not_a_date = client.post(one(plan, rate), {"date": "31/07/2026", "value": 1})
    assert not_a_date.status_code == 422 and "2026-07-31" in not_a_date.json()["message"]
    assert not Measurement.objects.exists()


def test_bulk_is_all_or_nothing_with_each_faulty_row_s_errors(api_as, editor, plan, kpi):
    rows = [
        {"kpi": kpi.pk, "date": "2026-07-01", "value": 10},
        {"kpi": kpi.pk, "date": "2026-07-08", "value": "ten"},
        {"kpi": kpi.pk, "date": "2026-07-01", "value": 11},
        {"kpi": kpi.pk, "date": "2026-07-15", "value": 12, "note": "x" * 301},
    ]
    response = api_as(editor).post(bulk(plan), {"actuals": rows})
    assert response.status_code == 422
    body = response.json()
    assert "nothing was recorded" in body["message"]
    assert body["rows"] == [
        {"row": 1, "errors": ["“ten” is not a number."]},
        {"row": 2, "errors": ["Same KPI and date as row 0."]},
        {"row": 3, "errors": ["The note is longer than 300 characters."]},
    ]
    assert not Measurement.objects.exists()


def test_bulk_is_idempotent_per_kpi_and_date(
    api_as, editor, plan, kpi, django_assert_max_num_queries
):
    second = make_kpi(plan=plan, name="Leads")
    make_measurement(kpi=kpi, on=date(2026, 7, 1), value="5", note="by hand")
    rows = [
        {"kpi": k.pk, "date": f"2026-07-{day:02}", "value": day}
        for k in (kpi, second)
        for day in range(1, 29)
    ]
    client = api_as(editor)
    first = client.post(bulk(plan), {"actuals": rows})
    assert first.json() == {"created": 55, "updated": 1, "unchanged": 0}
    with django_assert_max_num_queries(12):  # the same whatever the number of rows
        repeat = client.post(bulk(plan), {"actuals": rows})
    assert repeat.json() == {"created": 0, "updated": 0, "unchanged": 56}
    assert Measurement.objects.count() == 56
    assert Measurement.objects.get(kpi=kpi, date=date(2026, 7, 1)).note == "by hand"


def test_bulk_takes_up_to_500_rows_and_says_so_above(api_as, editor, plan, kpi):
    kpis = [kpi, *(make_kpi(plan=plan, name=f"K{n}") for n in range(5))]
    rows = [
        {"kpi": k.pk, "date": f"2026-{month:02}-{day:02}", "value": day}
        for k in kpis
        for month in (7, 8, 9)
        for day in range(1, 29)
    ]
    client = api_as(editor)
    assert client.post(bulk(plan), {"actuals": rows[:500]}).json()["created"] == 500
    too_many = client.post(bulk(plan), {"actuals": rows[:501]})
    assert too_many.status_code == 422
    assert "at most 500" in too_many.json()["message"]
    empty = client.post(bulk(plan), {"actuals": []})
    assert empty.status_code == 422


def test_api_writes_are_in_the_history_as_the_token_s_user_via_api(
    api_as, editor, editor_client, plan, kpi
):
    make_measurement(kpi=kpi, on=date(2026, 7, 1), value="5")
    client = api_as(editor)
    client.post(
        bulk(plan),
        {
            "actuals": [
                {"kpi": kpi.pk, "date": "2026-07-01", "value": 7},
                {"kpi": kpi.pk, "date": "2026-07-08", "value": 8},
            ]
        },
    )
    records = list(Measurement.history.filter(history_user=editor))
    assert sorted(r.history_type for r in records) == ["+", "~"]  # the new one and the update
    assert {(r.history_change_reason, r.source) for r in records} == {("Via API", "api")}
    page = editor_client.get(f"/plans/{plan.pk}/history/").content.decode()
    assert "Via API" in page and editor.username in page
    actuals_page = editor_client.get(f"/plans/{plan.pk}/actuals/").content.decode()
    assert actuals_page.count("Via API") == 2


def test_writes_need_no_csrf_token(api_as, editor, plan, kpi):
    client = api_as(editor)
    client.client = client.client.__class__(enforce_csrf_checks=True)
    assert client.post(one(plan, kpi), {"date": "2026-07-08", "value": 1}).status_code == 201


def test_a_logged_in_session_cannot_write_without_a_token(editor, plan, kpi):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    response = browser.post(
        one(plan, kpi), {"date": "2026-07-08", "value": 1}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Measurement.objects.exists()
