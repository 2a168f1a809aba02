"""Worksheet stages and their notes written in Python: they must say what the shared field
include and `{% url %}` said, show every field the notes form has, and escape what people typed."""

import re
from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from plans.models import Plan, StageWorksheet
from plans.worksheet import stage_html
from plans.worksheet.forms import WorksheetForm
from plans.worksheet.rows import stage_notes_form
from race_planner.forms import field_html
from tests.factories import make_kpi

TYPED = '<script>alert("x")</script> & co'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _squeezed(html: str) -> str:
    """Whitespace between tags is not shown, and each response masks its CSRF token anew;
    everything else must match."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", html)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _sheet(plan: Plan, stage: str = "reach") -> StageWorksheet:
    return plan.worksheets.select_related("plan").get(stage=stage)


@pytest.mark.parametrize("data", [None, {"ws-reach-opportunity": "x" * 4001}])
def test_a_notes_field_is_written_as_the_shared_field_include_writes_it(
    plan: Plan, data: dict[str, str] | None
) -> None:
    sheet = _sheet(plan)
    form = stage_notes_form(sheet, data, kpis=[])
    form.fields["opportunity"].help_text = f"Help {TYPED}"  # the include shows it, with an id
    if data:
        assert not form.is_valid()  # a field error, beside the field
    field = form["opportunity"]
    include = render_to_string("field_inc.html", {"field": field})
    assert _squeezed(field_html(field)) == _squeezed(include)
    assert ESCAPED in include


def test_a_field_added_to_the_notes_form_shows_on_the_worksheet(plan: Plan) -> None:
    class WithBudgetNote(WorksheetForm):
        budget_note = forms.CharField(label=f"Budget {TYPED}", required=False)

    sheet = _sheet(plan)
    form = WithBudgetNote(instance=sheet, kpis=[], prefix="ws-reach")
    urls = stage_html.StageUrls.of(plan.pk)
    html = stage_html.notes_form(form, sheet, urls, csrf_field="")
    assert f'<label for="id_ws-reach-budget_note">Budget {ESCAPED}</label>' in html
    assert 'name="ws-reach-budget_note"' in html
    assert html.count('id="id_ws-reach-primary_kpi"') == 1  # in its own block, not twice


def test_stage_urls_are_the_ones_reverse_gives(plan: Plan) -> None:
    urls = stage_html.StageUrls.of(plan.pk)
    for sheet in plan.worksheets.all():
        assert urls.notes(sheet.pk) == reverse("plans-worksheet-update", args=[plan.pk, sheet.pk])
        assert urls.primary_kpi(sheet.pk) == reverse("plans-primary-kpi", args=[plan.pk, sheet.pk])
        for kind, url in urls.add.items():
            assert url(sheet.stage) == reverse(
                "plans-item-create", args=[plan.pk, sheet.stage, kind]
            )


def test_stage_texts_are_escaped_for_editors_and_readers(
    editor_client: Client, viewer_client: Client, plan: Plan
) -> None:
    kpi = make_kpi(plan=plan, stage="reach", name=f"Visitors {TYPED}", unit="count")
    StageWorksheet.objects.filter(plan=plan, stage="reach").update(
        opportunity=f"{TYPED}\nline two", strategy="", primary_kpi=kpi
    )
    url = reverse("plans-detail", args=[plan.pk])
    editor = editor_client.get(url).content.decode()
    assert "<script>alert" not in editor
    assert f">\n{ESCAPED}\nline two</textarea>" in editor  # the form keeps the text as typed
    assert f'<option value="{kpi.pk}" selected>Visitors {ESCAPED}</option>' in editor
    reader = viewer_client.get(url).content.decode()
    assert "<script>alert" not in reader
    assert f'<p class="prose">{ESCAPED}<br>line two</p>' in reader
    assert '<h3>Strategy</h3><p class="prose">Not written yet.</p>' in reader
    assert f"<strong>Primary KPI (funnel volume):</strong> Visitors {ESCAPED}</p>" in reader


def test_every_notes_field_has_its_label_and_the_page_ids_are_unique(
    editor_client: Client, plan: Plan
) -> None:
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for stage in ("plan", "reach", "act", "convert", "engage"):
        for name in ("opportunity", "strategy", "actions", "primary_kpi"):
            control = f"id_ws-{stage}-{name}"
            assert f'<label for="{control}">' in html and f'id="{control}"' in html
        assert f'aria-labelledby="stage-{stage}-title"' in html
        assert f'aria-controls="stage-{stage}-body"' in html


def test_section_counts_say_how_many_are_on_track_only_when_known() -> None:
    assert stage_html.section_count("reach", "kpi", 0, 0) == (
        '<span class="muted count-inline" id="count-reach-kpi">(0)</span>'
    )
    assert stage_html.section_count("act", "tactic", 3, None, oob=True) == (
        '<span class="muted count-inline" id="count-act-tactic" hx-swap-oob="true">(3)</span>'
    )
    assert stage_html.section_count("act", "kpi", 3, 2) == (
        '<span class="muted count-inline" id="count-act-kpi">'
        '(3<span class="on-track-count">, 2 on track</span>)</span>'
    )


def test_the_notes_page_without_javascript_shows_the_same_form(
    editor_client: Client, plan: Plan
) -> None:
    """An invalid plain POST answers with the notes' own page: the same form, with its error."""
    sheet = _sheet(plan)
    url = reverse("plans-worksheet-update", args=[plan.pk, sheet.pk])
    data = {
        "ws-reach-opportunity": "x" * 4001,
        "ws-reach-strategy": "",
        "ws-reach-actions": "",
        "ws-reach-primary_kpi": "",
        "ws-reach-version": str(sheet.version),
    }
    page = editor_client.post(url, data).content.decode()
    fragment = editor_client.post(url, data, **HX).content.decode()
    assert "<title>Reach · Spring push · RACE Planner</title>" in page
    form = fragment[fragment.index("<form") : fragment.index("</form>")]
    assert _squeezed(form) in _squeezed(page)
    assert 'class="field field-opportunity has-error"' in form
    assert 'id="id_ws-reach-opportunity_error"' in form
    assert "Not saved: fix the field marked above." in form
