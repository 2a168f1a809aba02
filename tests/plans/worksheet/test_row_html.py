"""Worksheet rows and stage-notes widgets written in Python: they must say what Django's filters,
`{% url %}` and widget templates said, and escape what people typed."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat, linebreaksbr
from django.test import Client
from django.urls import reverse
from django.utils import translation

from plans.models import Plan, Workspace
from plans.worksheet.forms import NotesTextarea
from plans.worksheet.row_html import Formats, RowPage, prose
from race_planner.forms import QuickSelect
from tests.factories import make_kpi, make_objective, make_plan, make_tactic

TYPED = '<script>alert("x")</script> & co'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"


def test_every_text_a_row_shows_is_escaped(editor_client: Client, plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name=TYPED)
    kpi.definition, kpi.description = TYPED, f"{TYPED}\nsecond line"
    kpi.save()
    objective = make_objective(plan=plan, title=f"Objective {TYPED}", kpi=kpi)
    make_tactic(plan=plan, title=f"Tactic {TYPED}", channel=TYPED, owner=TYPED, objective=objective)
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert "<script>alert" not in html
    assert f'<strong class="kpi-name-{kpi.pk}">{ESCAPED}</strong>' in html  # objective's KPI
    assert f"<span>Owner {ESCAPED}</span>" in html and f"Serves “Objective {ESCAPED}”" in html
    assert f'<span class="muted">{ESCAPED}</span>' in html  # the KPI's definition
    assert f"{ESCAPED}<br>second line" in html
    assert f'Move up<span class="visually-hidden"> Tactic {ESCAPED}</span>' in html
    assert f'<span class="visually-hidden">Actions for tactic Tactic {ESCAPED}</span>' in html


@pytest.mark.parametrize(
    "value",
    ["0", "1500", "1500.00", "1234567.5", "1000.25", "0.005", "-0.001", "-2500", "99999999.995"],
)
@pytest.mark.parametrize("language", ["en", "de"])
def test_amounts_read_as_the_floatformat_filter_has_them(value: str, language: str) -> None:
    with translation.override(language):
        assert Formats.current().amount(Decimal(value)) == floatformat(Decimal(value), "-2g")


@pytest.mark.parametrize(
    "value", ["", "One line", "Two\nlines", "Windows\r\nand old Mac\rbreaks\r\r\n", "<b> & 'q' \""]
)
def test_prose_reads_as_the_linebreaksbr_filter_has_it(value: str) -> None:
    assert prose(value) == linebreaksbr(value, autoescape=True)


@pytest.mark.parametrize(
    "day", [date(2026, month, 1) for month in range(1, 13)] + [date(2026, 12, 31)]
)
def test_dates_read_as_the_date_filter_has_them(day: date) -> None:
    shown = Formats.current()
    assert shown.day_month(day) == date_filter(day, "j M")
    assert shown.day_month_year(day) == date_filter(day, "j M Y")
    assert shown.day_month(None) == shown.day_month_year(None) == ""


@pytest.mark.parametrize("kind", ["objective", "tactic", "kpi"])
def test_row_urls_are_the_ones_reverse_gives(plan: Plan, kind: str) -> None:
    page = RowPage.of(plan, can_edit=True, csrf_token="token")
    edit, move, delete = page.urls[kind]
    for item_id in (1, 90, 123456789):
        assert edit(item_id) == reverse("plans-item-update", args=[plan.pk, kind, item_id])
        assert move(item_id) == reverse("plans-item-move", args=[plan.pk, kind, item_id])
        assert delete(item_id) == reverse("plans-item-delete", args=[plan.pk, kind, item_id])


@pytest.mark.parametrize("value", [None, "", "Plain", f"{TYPED}\nline two", 42])
@pytest.mark.parametrize("attrs", [{}, {"aria-invalid": "true", "required": True, "hidden": False}])
def test_notes_textarea_writes_what_djangos_template_writes(value: object, attrs: dict) -> None:
    ours = NotesTextarea(attrs={"rows": 4, "placeholder": TYPED})
    django = forms.Textarea(attrs={"rows": 4, "placeholder": TYPED})
    assert ours.render("ws-reach-opportunity", value, attrs) == django.render(
        "ws-reach-opportunity", value, attrs
    )


@pytest.mark.parametrize("value", ["", "7", "8", None])
def test_kpi_select_writes_what_djangos_template_writes(value: str | None) -> None:
    choices = [("", "— no primary KPI —"), ("7", TYPED), ("8", "Visitors")]
    ours, django = QuickSelect(choices=choices), forms.Select(choices=choices)
    attrs = {"id": "id_primary", "aria-describedby": "id_primary_helptext"}
    assert ours.render("ws-reach-primary_kpi", value, attrs) == django.render(
        "ws-reach-primary_kpi", value, attrs
    )


def test_empty_lists_say_what_is_missing_and_how_to_add_it(
    editor_client: Client, viewer_client: Client, workspace: Workspace
) -> None:
    plan = make_plan(workspace=workspace, audience="both")
    url = reverse("plans-detail", args=[plan.pk])
    html = editor_client.get(url).content.decode()
    assert (
        '<ul class="items-list" id="list-act-kpi-b2b">\n\n'
        '<li class="empty muted">No KPIs for B2B yet. Use “Add KPI” below.</li>'
    ) in html
    assert "No objectives yet. Use “Add objective” below." in html  # the "both audiences" list
    html = viewer_client.get(url).content.decode()
    assert '<li class="empty muted">No tactics for B2C yet.</li>' in html


def test_a_moved_row_comes_back_in_both_lists_out_of_band(
    editor_client: Client, workspace: Workspace
) -> None:
    plan = make_plan(workspace=workspace, audience="both")
    kpi = make_kpi(plan=plan, name="Leads", audience="b2c")
    url = reverse("plans-item-move", args=[plan.pk, "kpi", kpi.pk])
    html = editor_client.post(url, {"audience": "b2b"}, HTTP_HX_REQUEST="true").content.decode()
    before, after = html.split('id="list-reach-kpi-b2b" hx-swap-oob="outerHTML">')
    assert 'id="list-reach-kpi-b2c" hx-swap-oob="outerHTML">' in before
    assert f'id="kpi-{kpi.pk}"' not in before and f'id="kpi-{kpi.pk}"' in after
    assert 'value="b2c" class="menu-item">To B2C' in after  # it can go back
