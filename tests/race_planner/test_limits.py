"""The limits on what comes in: numbers, dates, ids, versions, positions and upload sizes.

Each input that used to reach a 500 or lose digits, sent the way a browser (or a hostile user)
sends it, now gets a clear message, and nothing is saved half-way.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kpis.actuals.forms import CheckInForm
from kpis.models import Measurement
from plans.models import KPI, Plan
from plans.quarters import BeyondTheCalendar, Quarter, next_period
from race_planner.forms import whole_number
from race_planner.numbers import VALUE_LIMIT, parse_value
from tests.factories import make_kpi, make_objective, make_plan

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
LARGEST = "99999999999.9999"


def _kpi_data(prefix: str, **values: str) -> dict[str, str]:
    data = {"name": "Revenue", "audience": "all", "unit": "currency", "direction": "up"}
    data |= {"baseline": "0", "target": "1000", "definition": "", "description": ""}
    return {f"{prefix}-{key}": value for key, value in (data | values).items()}


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,error",
    [
        ("999999999999.9999", "no larger than 99,999,999,999.9999"),
        ("100000000000", "no larger than 99,999,999,999.9999"),
        ("1.23456", "at most 4 decimal places"),
    ],
)
def test_a_kpi_target_beyond_the_policy_gets_the_fields_error(
    editor_client: Client, plan: Plan, raw: str, error: str
) -> None:
    url = reverse("plans-item-create", args=[plan.pk, "reach", "kpi"])
    response = editor_client.post(url, _kpi_data("new-kpi-reach", target=raw), **HX)
    assert response.status_code == 200 and error in response.content.decode()
    assert not KPI.objects.exists()


def test_the_largest_numbers_read_back_exactly_on_every_page(
    editor_client: Client, plan: Plan
) -> None:
    url = reverse("plans-item-create", args=[plan.pk, "reach", "kpi"])
    data = _kpi_data("new-kpi-reach", baseline=f"-{LARGEST}", target=LARGEST, unit="score")
    editor_client.post(url, data, **HX)
    kpi = KPI.objects.get()
    assert (kpi.baseline, kpi.target) == (Decimal(f"-{LARGEST}"), Decimal(LARGEST))
    add = reverse("kpis-measurement-add", args=[plan.pk, kpi.pk])
    odd = "12345678901.2345"  # 15 significant digits: the most a float holds exactly
    editor_client.post(add, {f"m{kpi.pk}-date": "2026-07-06", f"m{kpi.pk}-value": odd})
    assert Measurement.objects.get().value == Decimal(odd)
    for name in ("plans-detail", "kpis-dashboard", "kpis-actuals", "kpis-export", "plans-history"):
        response = editor_client.get(reverse(name, args=[plan.pk]))
        assert response.status_code == 200, name
    assert editor_client.get(reverse("kpis-portfolio")).status_code == 200
    assert (
        "12345678901.2345"
        in editor_client.get(reverse("kpis-export", args=[plan.pk])).content.decode()
    )


def test_a_count_cannot_go_negative_by_any_door(editor_client: Client, plan: Plan) -> None:
    visitors = make_kpi(plan=plan, name="Visitors", unit="count")
    nps = make_kpi(plan=plan, name="NPS", unit="score", stage="engage")
    add = reverse("kpis-measurement-add", args=[plan.pk, visitors.pk])
    html = editor_client.post(
        add, {f"m{visitors.pk}-date": "2026-07-06", f"m{visitors.pk}-value": "-3"}, **HX
    ).content.decode()
    assert "Visitors cannot be negative." in html
    check_in = {
        "date": "2026-07-06",
        CheckInForm.field_name(visitors): "-1",
        CheckInForm.field_name(nps): "-20",
    }
    html = editor_client.post(reverse("kpis-check-in", args=[plan.pk]), check_in).content.decode()
    assert "Visitors cannot be negative." in html and not Measurement.objects.exists()
    del check_in[CheckInForm.field_name(visitors)]
    editor_client.post(reverse("kpis-check-in", args=[plan.pk]), check_in)
    assert Measurement.objects.get().value == -20  # a score may be negative


def test_the_policy_parser_for_text() -> None:
    assert parse_value("12.5") == (Decimal("12.5"), None)
    assert parse_value("1e3") == (Decimal("1e3"), None)
    assert (
        parse_value(str(VALUE_LIMIT))[1]
        == "“100000000000” is too large: 99,999,999,999.9999 at most."
    )
    for raw in ("", "NaN", "Infinity", "sNaN", "1,5", "0x10"):
        assert parse_value(raw)[0] is None


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_2000_to_2100_are_refused_everywhere(
    editor_client: Client, plan: Plan, day: str
) -> None:
    message = "Use a date from 1 Jan 2000 to 31 Dec 2100."
    settings = {"name": plan.name, "period_start": day, "period_end": day}
    settings |= {"status": "draft", "currency": "EUR", "summary": "", "version": "1"}
    html = editor_client.post(reverse("plans-settings", args=[plan.pk]), settings).content.decode()
    assert message in html
    kpi = make_kpi(plan=plan, name="Visitors")
    add = reverse("kpis-measurement-add", args=[plan.pk, kpi.pk])
    html = editor_client.post(
        add, {f"m{kpi.pk}-date": day, f"m{kpi.pk}-value": "1"}, **HX
    ).content.decode()
    assert message in html
    objective = make_objective(plan=plan, title="Grow")
    url = reverse("plans-item-update", args=[plan.pk, "objective", objective.pk])
    data = {
        f"objective-{objective.pk}-{k}": v
        for k, v in {
            "title": "Grow",
            "audience": "all",
            "kpi": "",
            "target_date": day,
            "description": "",
            "version": "1",
        }.items()
    }
    html = editor_client.post(url, data, **HX).content.decode()
    assert message in html or "cannot be before the plan starts" in html
    dashboard = editor_client.get(reverse("kpis-dashboard", args=[plan.pk]), {"end": day})
    assert dashboard.status_code == 200 and message in dashboard.content.decode()
    plan.refresh_from_db()
    assert plan.period_end == date(2026, 9, 30) and not Measurement.objects.exists()


def test_roll_forward_stops_at_the_end_of_the_calendar(editor_client: Client, plan: Plan) -> None:
    assert next_period(date(2100, 7, 1), date(2100, 9, 30)) == (
        date(2100, 10, 1),
        date(2100, 12, 31),
    )
    with pytest.raises(BeyondTheCalendar):
        next_period(date(2100, 10, 1), date(2100, 12, 31))
    with pytest.raises(BeyondTheCalendar):  # a plan stored before the limits
        next_period(date(9999, 10, 1), date(9999, 12, 31))
    with pytest.raises(BeyondTheCalendar):
        next_period(date(2000, 1, 1), date(2100, 12, 31))
    assert Quarter(9999, 4).end == date(9999, 12, 31)
    Plan.objects.filter(pk=plan.pk).update(
        period_start=date(2100, 10, 1), period_end=date(2100, 12, 31)
    )
    response = editor_client.post(reverse("plans-roll-forward", args=[plan.pk]), follow=True)
    assert "the last date plans can use" in response.content.decode()
    assert Plan.objects.count() == 1


# --- ids, versions and positions ------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["①", "²", "٣", "-1", " 7", "7 ", "1_000", "+3", "3.0", "9" * 19, "9" * 5000]
)
def test_the_one_integer_parser_takes_ascii_digits_only(text: str) -> None:
    assert whole_number(text) is None


def test_odd_numbers_from_the_browser_get_an_answer_not_a_500(
    editor_client: Client, plan: Plan
) -> None:
    settings_url = reverse("plans-settings", args=[plan.pk])
    for version in ("²", "9" * 5000, "-1"):
        response = editor_client.post(
            settings_url, {"archive": "1", "version": version}, follow=True
        )
        assert "Not archived: the plan changed meanwhile" in response.content.decode()
        data = {"name": "X", "period_start": "2026-07-01", "period_end": "2026-09-30"}
        data |= {"status": "draft", "currency": "EUR", "summary": "", "version": version}
        assert editor_client.post(settings_url, data).status_code == 200
    create = reverse("plans-item-create", args=[plan.pk, "reach", "objective"])
    for position in ("①", "9" * 5000):
        assert editor_client.get(create, {"position": position}, **HX).status_code == 200
    assert editor_client.get(f"/plans/{'9' * 30}/").status_code == 404
    assert editor_client.get(f"/plans/{plan.pk}/actuals/{'9' * 25}/edit/").status_code == 404


# --- uploads ----------------------------------------------------------------------------------


def test_an_upload_over_the_cap_is_refused_before_it_is_read(
    editor_client: Client, plan: Plan
) -> None:
    url = reverse("kpis-import", args=[plan.pk])
    # The request says it is 1 GB: refused at once, whatever follows (here, nothing).
    response = editor_client.post(url, {}, CONTENT_LENGTH=str(1024**3))
    assert response.status_code == 413
    assert "more than 2 MB, the most a file (or a form) may be here" in response.content.decode()
    assert editor_client.get(url).status_code == 200


def test_an_outsider_gets_no_hint_from_odd_ids(outsider_client: Client) -> None:
    plan = make_plan()
    assert outsider_client.get(reverse("plans-detail", args=[plan.pk])).status_code == 404


def test_a_nul_byte_in_any_text_is_refused_with_a_message(
    editor_client: Client, plan: Plan
) -> None:
    kpi = make_kpi(plan=plan, name="Visitors")
    add = reverse("kpis-measurement-add", args=[plan.pk, kpi.pk])
    data = {f"m{kpi.pk}-date": "2026-07-06", f"m{kpi.pk}-value": "1", f"m{kpi.pk}-note": "a\x00b"}
    assert (
        "Null characters are not allowed." in editor_client.post(add, data, **HX).content.decode()
    )
    url = reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])
    html = editor_client.post(
        url, _kpi_data(f"kpi-{kpi.pk}", name="Vis\x00itors", version="1"), **HX
    )
    assert "Null characters are not allowed." in html.content.decode()
    assert not Measurement.objects.exists() and KPI.objects.get().name == "Visitors"
