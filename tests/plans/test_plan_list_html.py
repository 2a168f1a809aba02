"""The plan list's rows written in Python (plans/listing_html.py) are the markup the template
wrote: the template's row is kept here and both are given the same rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import product

import pytest
from django import forms
from django.contrib.auth.models import User
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import timezone

from plans import extensions, listing_html
from plans.listing import PlanListFilters, PlanRow
from plans.models import Audience, Plan, PlanStatus, Workspace
from race_planner.forms import form_fields

# templates/plans/plan_list.html's loop, as it was before the rows were written in Python.
TEMPLATE_ROWS = Template(
    """{% for row in rows %}
          <tr>
            <th scope="row"><a href="{% url 'plans-detail' row.plan.pk %}">{{ row.plan.name }}</a><br>
              <span class="tag tag-{{ row.plan.audience }}">{{ row.plan.get_audience_display }}</span>
              <span class="badge status-{{ row.plan.status }}">{{ row.plan.get_status_display }}</span></th>
            <td>{{ row.plan.workspace.name }}</td>
            <td>{{ row.owner }}</td>
            <td class="nowrap">{{ row.plan.period_start|date:"j M Y" }} – {{ row.plan.period_end|date:"j M Y" }}
              <span class="period-bar" role="img" aria-label="{{ row.elapsed }} % of the period gone"><span style="width: {{ row.elapsed }}%"></span></span>
              <span class="muted small">{{ row.elapsed }} % of the period gone</span></td>
            <td class="nowrap">{% if row.summary %}<span class="rollup rollup-{{ row.summary.status }}">{{ row.summary.label }}</span><br><span class="muted small">{{ row.summary.status_label }}</span>{% else %}<span class="muted">—</span>{% endif %}</td>
            <td class="nowrap">{% if row.last_change %}<time datetime="{{ row.last_change|date:'c' }}" title="{{ row.last_change|date:'j M Y H:i' }}">{{ row.last_change|timesince }} ago</time>{% else %}<span class="muted">—</span>{% endif %}</td>
          </tr>
        {% endfor %}"""
)

HOSTILE = "<script>alert('x')</script> & \"quotes\""


def _rows() -> list[PlanRow]:
    """A row for every audience and state, with and without a summary and a last change,
    hostile text in every name; never saved: the rows are written from what they hold."""
    workspace = Workspace(pk=3, name=f"{HOSTILE} workspace")
    owners = [User(username="<b>u&1</b>"), User(username="x", first_name=HOSTILE), None]
    summaries = [
        None,
        extensions.PlanSummary(f"{HOSTILE} 3 of 4", "at_risk", "At <risk>"),
        extensions.PlanSummary("0 of 0 on track", "no_data", "No data"),
    ]
    now = timezone.now()
    changes = [None, now - timedelta(minutes=3), now - timedelta(days=400, hours=5)]
    rows = []
    for number, (audience, status, summary, change) in enumerate(
        product(Audience.values, PlanStatus.values, summaries, changes), start=1
    ):
        start = date(2026, 1, 1) + timedelta(days=number)
        plan = Plan(
            pk=number,
            name=f"{HOSTILE} {number}",
            workspace=workspace,
            audience=audience,
            status=status,
            period_start=start,
            period_end=start + timedelta(days=90),
            created_by=owners[number % 3],
        )
        rows.append(PlanRow(plan, summary, change, number % 101))
    return rows


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland"])
def test_the_rows_are_the_markup_the_template_wrote(zone: str) -> None:
    rows = _rows()
    with timezone.override(zone):
        written = listing_html.table_rows(rows)
        expected = TEMPLATE_ROWS.render(Context({"rows": rows}))
    assert written == expected
    assert "<script>" not in written and "&lt;script&gt;" in written
    assert written.count("<tr>") == len(rows) == 3 * 3 * 3 * 3


def test_a_row_links_to_its_plan_and_says_nothing_when_nothing_is_known() -> None:
    row = _rows()[0]  # no summary, never changed
    html = listing_html.table_rows([row])
    assert f'<a href="/plans/{row.plan.pk}/">' in html
    assert html.count('<span class="muted">—</span>') == 2
    assert listing_html.table_rows([]) == ""


def test_a_last_change_says_how_long_ago_with_the_moment_in_the_local_time_zone() -> None:
    row = _rows()[1]
    assert isinstance(row.last_change, datetime)
    with timezone.override("Pacific/Auckland"):
        html = listing_html.table_rows([row])
        local = timezone.localtime(row.last_change)
    assert f'<time datetime="{local.isoformat()}"' in html
    assert "3\xa0minutes ago</time>" in html


def test_the_filter_widgets_are_the_markup_of_djangos_widget_templates(
    db: None,
) -> None:

    Workspace.objects.create(name=HOSTILE, slug="hostile")
    data = {"q": HOSTILE, "audience": "b2b", "state": "archived"}
    form = PlanListFilters(data, workspaces=Workspace.objects.all())
    for bound in form:
        quick = bound.field.widget
        plain: forms.Widget = forms.TextInput()
        if isinstance(quick, forms.Select):
            plain = forms.Select(choices=quick.choices)
        plain.attrs = quick.attrs
        expected = plain.render(bound.html_name, bound.value(), attrs={"id": bound.auto_id})
        assert bound.as_widget() == expected
    assert "&lt;script&gt;" in str(form["q"]) and "&lt;script&gt;" in str(form["workspace"])


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"q": HOSTILE, "audience": "b2b", "state": "archived"},
        {"q": "x" * 121, "workspace": "999", "audience": "nobody", "state": "gone"},
    ],
)
def test_the_filter_fields_are_the_markup_of_the_form_include(
    db: None, data: dict[str, str] | None
) -> None:

    Workspace.objects.create(name=HOSTILE, slug="hostile")
    form = PlanListFilters(data, workspaces=Workspace.objects.all())
    expected = get_template("form_fields_inc.html").render({"form": form})
    assert form_fields(form) == expected
    if data and len(data["q"]) > 120:
        assert expected.count('class="field-error"') == 4  # every field's error was compared
