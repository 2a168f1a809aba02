"""The review's three doors: the options page, review.pdf and the export's progress page and
file, the command, and the check. Jobs wait in the database queue (the default backend) and
`run_queued_jobs()` runs them as the worker does; tests/kpis/review/test_worker.py uses a real
worker process."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kpis.models import ReviewExport
from kpis.review.checks import chart_browser_check
from plans.models import Membership, Plan
from tests.factories import make_kpi, make_measurement, make_plan, make_tactic
from tests.review_helpers import page_count, pdf_text, run_queued_jobs

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # what a browser sends


def options_url(plan: Plan) -> str:
    return reverse("kpis-review", kwargs={"plan_id": plan.pk})


def pdf_url(plan: Plan) -> str:
    return reverse("kpis-review-pdf", kwargs={"plan_id": plan.pk})


def progress_url(export: ReviewExport) -> str:
    return reverse("kpis-review-export", kwargs={"plan_id": export.plan_id, "export_id": export.pk})


def download_url(export: ReviewExport) -> str:
    return reverse(
        "kpis-review-download", kwargs={"plan_id": export.plan_id, "export_id": export.pk}
    )


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
    # With htmx the button swaps the options for the export's progress; no script of ours.
    assert f'hx-get="{pdf_url(plan)}"' in html and 'hx-target="#review-options"' in html
    assert "review.js" not in html
    for label in ("From", "To", "Paper size", "Stages to include", "Reach", "Engage"):
        assert label in html
    assert 'name="audience"' not in html  # a B2C plan has nothing to choose


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
    choices = {"paper": "Letter", "stages": ["reach", "act"]}
    started = viewer_client.get(pdf_url(plan), choices)  # a script: no Accept header
    [export] = ReviewExport.objects.all()
    assert started.status_code == 202 and started["Retry-After"] == "2"
    assert started["Location"] == download_url(export)
    assert viewer_client.get(started["Location"]).status_code == 202  # still being made
    assert run_queued_jobs() == 1
    response = viewer_client.get(started["Location"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="review-spring-push-')
    assert response.content.startswith(b"%PDF-")
    assert int(response["X-Review-Pages"]) == page_count(response.content)
    text = pdf_text(response.content)
    assert "Spring push" in text and "KPI 0" in text and "KPI 2" not in text  # a Convert KPI
    # Asked again, review.pdf serves the stored file at once: nothing is queued or drawn.
    again = viewer_client.get(pdf_url(plan), choices)
    assert again.status_code == 200 and again.content == response.content
    assert run_queued_jobs() == 0 and ReviewExport.objects.count() == 1


def test_a_browser_follows_the_progress_page_to_the_download(
    viewer_client: Client, plan: Plan
) -> None:
    fill(plan, 1)
    started = viewer_client.get(pdf_url(plan), {"stages": ["reach"]}, headers=HTML)
    [export] = ReviewExport.objects.all()
    assert started.status_code == 302 and started["Location"] == progress_url(export)
    waiting = viewer_client.get(progress_url(export), headers=HTML).content.decode()
    assert "Waiting for a free worker" in waiting and "Spring push" in waiting
    assert f'hx-get="{progress_url(export)}"' in waiting and 'hx-trigger="load delay:1s"' in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting  # without JavaScript
    assert download_url(export) not in waiting
    # Before it is ready the download link leads a browser back to the progress page.
    assert viewer_client.get(download_url(export), headers=HTML)["Location"] == progress_url(export)
    run_queued_jobs()
    ready = viewer_client.get(progress_url(export), headers=HTML).content.decode()
    assert "Your PDF is ready" in ready and f'href="{download_url(export)}"' in ready
    assert "hx-trigger" not in ready and "http-equiv" not in ready  # the polling stops
    pdf = viewer_client.get(download_url(export), headers=HTML)
    assert pdf.status_code == 200 and "Spring push" in pdf_text(pdf.content)
    # A bookmark of review.pdf gets the stored PDF.
    assert (
        viewer_client.get(pdf_url(plan), {"stages": ["reach"]}, headers=HTML).content == pdf.content
    )


def test_htmx_export_answers_with_the_progress_panel(viewer_client: Client, plan: Plan) -> None:
    response = viewer_client.get(pdf_url(plan), {"stages": ["act"]}, HTTP_HX_REQUEST="true")
    [export] = ReviewExport.objects.all()
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="review-export"' in html and "Waiting for a free worker" in html
    assert response["HX-Push-Url"] == progress_url(export)  # a reload shows the progress
    poll = viewer_client.get(progress_url(export), HTTP_HX_REQUEST="true")
    assert 'id="review-export"' in poll.content.decode() and "<html" not in poll.content.decode()


def test_the_same_export_twice_is_one_job(viewer_client: Client, editor_client: Client, plan):
    """Another click, or another member asking for the same review, joins the job."""
    choices = {"stages": ["reach"]}
    viewer_client.get(pdf_url(plan), choices)
    viewer_client.get(pdf_url(plan), choices, HTTP_HX_REQUEST="true")
    editor_client.get(pdf_url(plan), choices)
    assert ReviewExport.objects.count() == 1 and DBTaskResult.objects.count() == 1
    viewer_client.get(pdf_url(plan), {"stages": ["act"]})  # other options: another review
    assert ReviewExport.objects.count() == 2 and DBTaskResult.objects.count() == 2


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
    assert 'id="review-options"' in htmx.content.decode()
    assert not ReviewExport.objects.exists()


def test_an_export_past_its_bound_shows_a_message(
    viewer_client: Client, plan: Plan, settings
) -> None:
    settings.REVIEW_EXPORT_TIMEOUT = 0
    viewer_client.get(pdf_url(plan))
    run_queued_jobs()
    [export] = ReviewExport.objects.all()
    page = viewer_client.get(progress_url(export), headers=HTML)
    assert page.status_code == 200
    assert "took longer than 0 seconds and was stopped" in page.content.decode()
    assert "Try again" in page.content.decode()
    script = viewer_client.get(pdf_url(plan))
    assert script.status_code == 503
    assert "took longer than 0 seconds and was stopped" in script.content.decode()


def test_without_a_browser_the_page_says_so_and_offers_a_retry(
    viewer_client: Client, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    viewer_client.get(pdf_url(plan))
    run_queued_jobs()
    [export] = ReviewExport.objects.all()
    html = viewer_client.get(progress_url(export), headers=HTML).content.decode()
    assert "The PDF&#x27;s charts need Chromium" in html and "Traceback" not in html
    retry = f"{pdf_url(plan)}?paper=A4&amp;retry=1"
    assert f'href="{retry}"' in html and f'hx-get="{retry}"' in html
    assert "hx-trigger" not in html  # a failed export is not polled
    # Asking again without retry=1 does not start it again (a script's loop stops here)...
    assert viewer_client.get(pdf_url(plan)).status_code == 503
    assert run_queued_jobs() == 0
    # ...the Try again button does, and with a browser back the PDF is made.
    monkeypatch.delenv("BROWSER_PATH")
    again = viewer_client.get(pdf_url(plan), {"paper": "A4", "retry": "1"}, HTTP_HX_REQUEST="true")
    assert "Waiting for a free worker" in again.content.decode()
    assert run_queued_jobs() == 1
    assert "Your PDF is ready" in viewer_client.get(progress_url(export)).content.decode()
    assert ReviewExport.objects.count() == 1


def test_outsider_gets_404_at_every_step(
    outsider_client: Client, viewer_client: Client, plan: Plan
) -> None:
    viewer_client.get(pdf_url(plan))
    run_queued_jobs()
    [export] = ReviewExport.objects.all()
    for url in (options_url(plan), pdf_url(plan), progress_url(export), download_url(export)):
        assert outsider_client.get(url).status_code == 404, url
        assert outsider_client.get(url, headers=HTML).status_code == 404, url
    assert DBTaskResult.objects.count() == 1  # the outsider started nothing


def test_an_export_of_another_plan_is_404(viewer_client: Client, plan: Plan, workspace) -> None:
    other = make_plan(workspace=workspace, name="Other plan")
    viewer_client.get(pdf_url(other))
    [export] = ReviewExport.objects.all()
    wrong = {"plan_id": plan.pk, "export_id": export.pk}
    assert viewer_client.get(reverse("kpis-review-export", kwargs=wrong)).status_code == 404
    assert viewer_client.get(reverse("kpis-review-download", kwargs=wrong)).status_code == 404


def test_a_member_removed_after_starting_cannot_follow_or_download(
    viewer_client: Client, viewer, plan: Plan
) -> None:
    viewer_client.get(pdf_url(plan))
    run_queued_jobs()
    [export] = ReviewExport.objects.all()
    assert viewer_client.get(download_url(export)).status_code == 200
    Membership.objects.filter(user=viewer).delete()
    assert viewer_client.get(progress_url(export)).status_code == 404
    assert viewer_client.get(download_url(export)).status_code == 404
    assert viewer_client.get(pdf_url(plan)).status_code == 404


def test_the_pages_are_read_only(viewer_client: Client, plan: Plan) -> None:
    viewer_client.get(pdf_url(plan))
    [export] = ReviewExport.objects.all()
    for url in (options_url(plan), pdf_url(plan), progress_url(export), download_url(export)):
        assert viewer_client.post(url).status_code == 405, url


@pytest.mark.parametrize("kpis", [1, 12])
def test_query_counts_do_not_grow_with_the_plan(
    viewer_client: Client, plan: Plan, kpis: int, django_assert_max_num_queries
) -> None:
    fill(plan, kpis)
    with django_assert_max_num_queries(6):
        viewer_client.get(options_url(plan))
    with django_assert_max_num_queries(14):  # start: the fingerprint, the export, its task
        assert viewer_client.get(pdf_url(plan), {"stages": ["reach"]}).status_code == 202
    [export] = ReviewExport.objects.all()
    with django_assert_max_num_queries(6):
        assert viewer_client.get(progress_url(export), HTTP_HX_REQUEST="true").status_code == 200
    run_queued_jobs()
    with django_assert_max_num_queries(12):  # join: the fingerprint finds the stored PDF
        assert viewer_client.get(pdf_url(plan), {"stages": ["reach"]}).status_code == 200


def test_command_writes_the_pdf(plan: Plan, tmp_path: Path) -> None:
    fill(plan, 1)
    out = StringIO()
    target = tmp_path / "review.pdf"
    call_command("export_review", str(plan.pk), "-o", str(target), "--stage", "reach", stdout=out)
    assert target.read_bytes().startswith(b"%PDF-")
    assert "Spring push" in pdf_text(target.read_bytes())
    assert f"Wrote {target}" in out.getvalue() and "pages" in out.getvalue()
    assert "made now" in out.getvalue()
    assert not DBTaskResult.objects.exists()  # made in the command's process, no worker
    # The same review again comes from storage; the web serves the command's file too.
    again = tmp_path / "again.pdf"
    call_command("export_review", str(plan.pk), "-o", str(again), "--stage", "reach", stdout=out)
    assert again.read_bytes() == target.read_bytes() and "stored earlier" in out.getvalue()
    assert ReviewExport.objects.count() == 1


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
