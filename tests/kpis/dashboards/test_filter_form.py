"""The dashboard's filters, written without Django's widget templates, read as Django writes them."""

import re
from datetime import date
from typing import Any

import pytest
from django.forms.renderers import DjangoTemplates

from kpis.dashboards.forms import DashboardFilterForm
from plans.models import Plan


class WrittenByDjango(DashboardFilterForm):
    default_renderer = DjangoTemplates()


def _fields(form_class: type[DashboardFilterForm], data: dict[str, str] | None) -> list[str]:
    plan = Plan(audience="both", period_start=date(2026, 7, 1), period_end=date(2026, 9, 30))
    form = form_class(data, plan=plan, initial={"start": plan.period_start, "end": plan.period_end})
    # Whitespace between the options aside (Django's templates leave blank lines there).
    return [re.sub(r">\s+<", "><", str(field)) for field in form.visible_fields()]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"start": "2026-08-01", "end": "2026-08-31", "audience": "b2b"},
        {"start": "2026-09-01", "end": "2026-08-01", "audience": "b2c"},  # an error: aria-invalid
        {"start": 'x<"y>&', "audience": "<script>"},  # typed text comes back escaped
    ],
)
def test_filters_are_written_as_djangos_templates_write_them(data: dict[str, Any] | None) -> None:
    written = _fields(DashboardFilterForm, data)
    assert written == _fields(WrittenByDjango, data)
    assert len(written) == 3 and written[2].startswith('<select name="audience"')
