"""The review's three doors: the options page and review.pdf, the command, and the check."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from kpis.review.checks import chart_browser_check
from plans.models import Plan
from tests.factories import make_kpi, make_measurement, make_plan, make_tactic
from tests.review_helpers import page_count, pdf_text


def options_url(plan: Plan) -> str:
    return reverse("kpis-review", kwargs={"plan_id": plan.pk})


def pdf_url(plan: Plan) -> str:
    return reverse("kpis-review-pdf", kwargs={"plan_id": plan.pk})


def fill(plan: Plan, kpis: int) -> None:
    for n in range(kpis):
        kpi = make_kpi(plan=plan, name=f"KPI {n}", stage=["reach", "act", "convert"][n % 3])
        make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
        make_tactic(plan=plan, title=f"Tactic {n}")


def test_plan_page_links_to_the_export(viewer_client: Client, plan: Plan) -> None:
    response = viewer_client.get(reverse("plans-detail", kwargs={"plan_id": plan.pk}))
    assert f'href="{options_url(plan)}"' in response.content.decode()
    assert "Export PDF" in response.content.decode()


def test_options_page_offers_period_stages_and_paper(viewer_client: Client, plan: Plan) -> None:
    response = viewer_client.get(options_url(plan))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="{pdf_url(plan)}"' in html and 'method="get"' in html
    for label in ("From", "To", "Paper size", "Stages to include", "Reach", "Engage"):
        assert label in html
    assert 'name="audience"' not in html  # a B2C plan has nothing to choose
    assert "review.js" in html


def test_options_page_asks_for_the_audience_on_a_plan_for_both(
    viewer_client: Client, workspace
) -> None:
    plan = make_plan(workspace=workspace, audience="both")
    html = viewer_client.get(options_url(plan)).content.decode()
    assert 'name="audience"' in html and "B2B only" in html


def test_options_page_htmx_returns_the_fragment(viewer_client: Client, plan: Plan) -> None:
    response = viewer_client.get(options_url(plan), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="review-options"' in html and "<html" not in html


def test_viewer_downloads_the_pdf(viewer_client: Client, plan: Plan) -> None:
    fill(plan, 2)
    response = viewer_client.get(pdf_url(plan), {"paper": "Letter", "stages": ["reach", "act"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="review-spring-push-')
    assert response.content.startswith(b"%PDF-")
    assert int(response["X-Review-Pages"]) == page_count(response.content)
    text = pdf_text(response.content)
    assert "Spring push" in text and "KPI 0" in text and "KPI 2" not in text  # a Convert KPI


def test_invalid_options_re_render_with_errors_and_input(viewer_client: Client, plan: Plan) -> None:
    bad = {"start": "2026-09-30", "end": "2026-07-01", "paper": "A3"}
    response = viewer_client.get(pdf_url(plan), bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The period must end on or after the day it starts." in html
    assert "Select a valid choice" in html
    assert 'value="2026-09-30"' in html
    htmx = viewer_client.get(pdf_url(plan), bad, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()


def test_an_export_past_its_bound_shows_a_message(
    viewer_client: Client, plan: Plan, settings
) -> None:
    settings.REVIEW_EXPORT_TIMEOUT = 0
    response = viewer_client.get(pdf_url(plan))
    assert response.status_code == 503
    assert "took longer than 0 seconds and was stopped" in response.content.decode()


def test_without_a_browser_the_page_says_so(
    viewer_client: Client, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    response = viewer_client.get(pdf_url(plan))
    html = response.content.decode()
    assert response.status_code == 503
    assert "The PDF&#x27;s charts need Chromium" in html and "Traceback" not in html


def test_outsider_gets_404(outsider_client: Client, plan: Plan) -> None:
    assert outsider_client.get(options_url(plan)).status_code == 404
    assert outsider_client.get(pdf_url(plan)).status_code == 404


def test_both_pages_are_read_only(viewer_client: Client, plan: Plan) -> None:
    assert viewer_client.post(options_url(plan)).status_code == 405
    assert viewer_client.post(pdf_url(plan)).status_code == 405


@pytest.mark.parametrize("kpis", [1, 12])
def test_query_counts_do_not_grow_with_the_plan(
    viewer_client: Client, plan: Plan, kpis: int, django_assert_max_num_queries
) -> None:
    fill(plan, kpis)
    with django_assert_max_num_queries(6):
        viewer_client.get(options_url(plan))
    with django_assert_max_num_queries(14):
        assert viewer_client.get(pdf_url(plan), {"stages": ["reach"]}).status_code == 200


def test_command_writes_the_pdf(plan: Plan, tmp_path: Path) -> None:
    fill(plan, 1)
    out = StringIO()
    target = tmp_path / "review.pdf"
    call_command("export_review", str(plan.pk), "-o", str(target), "--stage", "reach", stdout=out)
    assert target.read_bytes().startswith(b"%PDF-")
    assert "Spring push" in pdf_text(target.read_bytes())
    assert f"Wrote {target}" in out.getvalue() and "pages" in out.getvalue()


def test_command_says_what_is_wrong(plan: Plan, tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(CommandError, match="No plan with id 999999"):
        call_command("export_review", "999999", "-o", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="must end on or after"):
        call_command(
            "export_review", str(plan.pk), "-o", str(tmp_path / "x.pdf"), "--end", "2020-01-01"
        )
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(CommandError, match="need Chromium"):
        call_command("export_review", str(plan.pk), "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_check_warns_without_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    assert chart_browser_check() == []
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    [warning] = chart_browser_check()
    assert warning.id == "kpis.W001" and "Chromium" in warning.msg
    out = StringIO()
    call_command("check", stdout=out, stderr=out)  # warnings do not fail `check`
    assert "kpis.W001" in out.getvalue()


def test_options_page_starts_from_the_dashboard_filters(viewer_client: Client, workspace) -> None:
    plan = make_plan(workspace=workspace, audience="both")
    html = viewer_client.get(
        options_url(plan), {"start": "2026-08-01", "end": "2026-08-31", "audience": "b2b"}
    ).content.decode()
    assert 'value="2026-08-01"' in html and 'value="2026-08-31"' in html
    assert '<option value="b2b" selected>' in html
