"""Properties over what people and files send: any input either gets a clean error, or it is
saved, reads back exactly, and every page of the plan holding it renders. On SQLite and on
PostgreSQL (make test runs both)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis.actuals import csv_import
from kpis.actuals.forms import MeasurementForm
from kpis.actuals.recording import Actual, record_actual
from kpis.models import Measurement
from plans.models import KPI, Plan
from plans.worksheet.forms import KPIForm
from race_planner.dates import FIRST_DAY, LAST_DAY
from race_planner.forms import whole_number
from race_planner.numbers import VALUE_LIMIT, parse_value
from tests.factories import make_kpi

# Examples share one test database per test (pytest-django), so each makes its own rows.
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PAGES = ("plans-detail", "kpis-dashboard", "kpis-actuals", "kpis-export", "plans-history")

# Numbers as people type them: ordinary, huge, tiny, negative, in exponent form, or not at all.
typed_numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=-VALUE_LIMIT * 10, max_value=VALUE_LIMIT * 10, places=5).map(str),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(alphabet="0123456789.,-+eE x\x00٣²", max_size=25),
)


@given(text=st.text(max_size=30))
def test_whole_numbers_are_ascii_digits_or_nothing(text: str) -> None:
    number = whole_number(text)
    if number is not None:
        assert text.isascii() and text.isdigit() and len(text) <= 18 and int(text) == number


@given(raw=typed_numbers)
@EXAMPLES
def test_a_typed_value_is_refused_or_reads_back_exactly(raw: str, plan: Plan) -> None:
    value, error = parse_value(raw.strip())
    assert (value is None) != (error is None)
    kpi = make_kpi(plan=plan, name=f"K{KPI.with_deleted.count()}", unit="score")
    form = MeasurementForm({"date": "2026-07-06", "value": raw, "note": ""}, kpi=kpi)
    if not form.is_valid():
        assert form.errors["value"], form.errors  # a message on the field, never a crash
        return
    saved, _ = record_actual(
        Actual(kpi, form.cleaned_data["date"], form.cleaned_data["value"]), user=None
    )
    assert Measurement.objects.get(pk=saved.pk).value == form.cleaned_data["value"]
    if value is not None:  # the CSV's parser and the form's agree on what is a number
        assert value == form.cleaned_data["value"]


@given(baseline=typed_numbers, target=typed_numbers)
@EXAMPLES
def test_kpi_values_are_refused_or_read_back_exactly(
    baseline: str, target: str, plan: Plan
) -> None:
    name = f"K{KPI.with_deleted.count()}"
    data = {"name": name, "audience": "all", "unit": "score", "direction": "up"}
    form = KPIForm({**data, "baseline": baseline, "target": target}, plan=plan)
    if not form.is_valid():
        assert set(form.errors) <= {"baseline", "target"}, form.errors
        return
    kpi = form.save(commit=False)
    kpi.plan, kpi.stage = plan, "reach"
    kpi.save()
    stored = KPI.objects.get(pk=kpi.pk)
    assert (stored.baseline, stored.target) == (
        form.cleaned_data["baseline"],
        form.cleaned_data["target"],
    )


@given(day=st.dates())
@EXAMPLES
def test_a_date_is_refused_outside_the_range_or_kept(day: date, plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name=f"K{KPI.with_deleted.count()}")
    form = MeasurementForm({"date": day.isoformat(), "value": "1", "note": ""}, kpi=kpi)
    assert form.is_valid() == (FIRST_DAY <= day <= LAST_DAY)
    if form.is_valid():
        saved, _ = record_actual(Actual(kpi, day, Decimal(1)), user=None)
        assert Measurement.objects.get(pk=saved.pk).date == day
    else:
        assert "Use a date from 1 Jan 2000 to 31 Dec 2100." in form.errors["date"]


cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
csv_lines = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["Visitors", " visitors ", "NPS", "Nope", ""]),
            st.dates().map(str),
            typed_numbers,
            cells,
        ).map(lambda row: ",".join(row)),
        cells,
    ),
    max_size=6,
)


@given(lines=csv_lines)
@EXAMPLES
def test_a_csv_file_is_refused_with_a_message_or_imported_exactly(
    lines: list[str], plan: Plan
) -> None:
    if not plan.kpis.exists():
        make_kpi(plan=plan, name="Visitors")
        make_kpi(plan=plan, name="NPS", unit="score", stage="engage")
    text = "kpi,date,value,note\n" + "\n".join(lines)
    try:
        preview = csv_import.preview_actuals(plan, text)
    except csv_import.ImportRefused as refused:
        assert str(refused)
        return
    for row in preview.rows:
        assert row.errors or (row.kpi and row.on and row.value is not None)
    if not preview.ok:
        assert all(
            isinstance(message, str) and message for row in preview.errors for message in row.errors
        )
        return
    with transaction.atomic():
        csv_import.commit_actuals(plan, preview, user=None)
    stored = {(m.kpi_id, m.date): m.value for m in Measurement.objects.filter(kpi__plan=plan)}
    for row in preview.rows:
        assert row.kpi is not None and row.on is not None
        assert stored[row.kpi.pk, row.on] == row.value


@pytest.mark.parametrize(
    "value", ["99999999999.9999", "-99999999999.9999", "0.0001", "12345678901.2345"]
)
def test_every_page_of_a_plan_renders_with_extreme_values(
    editor_client: Client, plan: Plan, value: str
) -> None:
    kpi = make_kpi(plan=plan, name="Extreme", unit="score", baseline=value, target=value)
    for day in (FIRST_DAY, plan.period_start, LAST_DAY):
        record_actual(Actual(kpi, day, Decimal(value)), user=None)
    assert KPI.objects.get(pk=kpi.pk).target == Decimal(value)
    for name in PAGES:
        assert editor_client.get(reverse(name, args=[plan.pk])).status_code == 200, name
    assert editor_client.get(reverse("kpis-portfolio")).status_code == 200
