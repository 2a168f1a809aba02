"""The slides go the PDF's way: the same options, job, fingerprint, storage and progress page,
with the format as one of the options. Jobs wait in the database queue; `run_queued_jobs()`
runs them as the worker does, and one test uses a real `manage.py db_worker`."""

import io
import subprocess
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pptx import Presentation

from kpis.models import ExportState, ReviewExport
from kpis.review import jobs
from kpis.review.export import ReviewOptions
from plans.models import Plan, Role
from tests.factories import make_kpi, make_measurement, make_member, make_plan, make_workspace
from tests.review_helpers import run_queued_jobs

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # what a browser sends
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
SLIDES = ReviewOptions(stages=("reach",), format="pptx")
READY_WITHIN = 120  # seconds; a first export on a busy 2-core machine takes 10-25 s


def slides_url(plan: Plan) -> str:
    return reverse("kpis-review-slides", kwargs={"plan_id": plan.pk})


def with_reach(plan: Plan) -> Plan:
    kpi = make_kpi(plan=plan, name="Visitors", stage="reach")
    make_measurement(kpi=kpi, on=plan.period_start, value="120")
    return plan


def slide_titles(pptx: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(pptx))
    return [slide.shapes.title.text for slide in deck.slides]


def test_slides_and_pdf_of_the_same_plan_are_two_exports(db: None) -> None:
    plan = with_reach(make_plan(name="Autumn push"))
    pdf = jobs.start_export(plan, ReviewOptions(stages=("reach",)))
    slides = jobs.start_export(plan, SLIDES)
    assert pdf.pk != slides.pk and pdf.fingerprint != slides.fingerprint
    # Slides have no paper: a Letter request joins the A4 one.
    letter = jobs.start_export(
        plan, ReviewOptions(stages=("reach",), paper="Letter", format="pptx")
    )
    assert letter.pk == slides.pk

    assert run_queued_jobs() == 2
    slides.refresh_from_db()
    pdf.refresh_from_db()
    assert slides.state == pdf.state == ExportState.READY
    assert slides.file == f"{slides.fingerprint}.pptx" and pdf.file.endswith(".pdf")
    assert slides.filename == f"review-autumn-push-{timezone.localdate():%Y-%m-%d}.pptx"
    stored = jobs.stored_file(slides)
    assert stored is not None
    with stored:
        data = stored.read()
    assert slides.size == len(data)
    titles = slide_titles(data)
    assert slides.pages == len(titles)  # the slides' count
    assert "Reach" in titles and "Act" not in titles
    assert jobs.options_from_json(slides.options) == SLIDES
    assert jobs.describe_options(plan, SLIDES).endswith("Reach · 16:9 slides")


def test_the_options_page_offers_both_buttons(viewer_client: Client, plan: Plan) -> None:
    html = viewer_client.get(reverse("kpis-review", kwargs={"plan_id": plan.pk})).content.decode()
    assert ">Export PDF</button>" in html
    assert f'formaction="{slides_url(plan)}">Export slides (.pptx)</button>' in html


def test_a_script_waits_then_gets_the_pptx(viewer_client: Client, plan: Plan) -> None:
    with_reach(plan)
    asked = viewer_client.get(slides_url(plan), {"stages": ["reach"]})
    assert asked.status_code == 202
    assert asked.content.decode().startswith("The slides are being made.")
    [export] = ReviewExport.objects.all()
    download = reverse("kpis-review-download-slides", args=[plan.pk, export.pk])
    assert asked["Location"] == download and download.endswith(".pptx")

    run_queued_jobs()
    export.refresh_from_db()
    got = viewer_client.get(download)
    assert got.status_code == 200 and got["Content-Type"] == PPTX
    assert got["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    assert "Reach" in slide_titles(got.content)
    again = viewer_client.get(slides_url(plan), {"stages": ["reach"]})  # stored: served at once
    assert again.status_code == 200 and again.content == got.content
    # The PDF's download URL does not serve the slides, nor the other way round.
    wrong = reverse("kpis-review-download", args=[plan.pk, export.pk])
    assert viewer_client.get(wrong).status_code == 404


def test_the_button_with_htmx_shows_progress_then_the_slides_link(
    viewer_client: Client, plan: Plan
) -> None:
    with_reach(plan)
    clicked = viewer_client.get(slides_url(plan), {"paper": "A4"}, HTTP_HX_REQUEST="true")
    panel = clicked.content.decode()
    assert clicked.status_code == 200 and "Waiting for a free worker" in panel
    assert "16:9 slides" in panel
    run_queued_jobs()
    ready = viewer_client.get(clicked["HX-Push-Url"], HTTP_HX_REQUEST="true").content.decode()
    [export] = ReviewExport.objects.all()
    assert "Your slides are ready:" in ready and f"{export.pages} slides" in ready
    assert f'href="/plans/{plan.pk}/review/{export.pk}.pptx"' in ready
    assert ">Download slides</a>" in ready and "Download PDF" not in ready


def test_a_browser_without_htmx_goes_to_the_progress_page(
    viewer_client: Client, plan: Plan
) -> None:
    response = viewer_client.get(slides_url(plan), headers=HTML)
    [export] = ReviewExport.objects.all()
    assert response.status_code == 302
    assert response["Location"] == reverse("kpis-review-export", args=[plan.pk, export.pk])
    page = viewer_client.get(response["Location"]).content.decode()
    assert "<title>Export slides" in page


def test_a_failed_export_offers_to_try_the_slides_again(viewer_client: Client, plan: Plan) -> None:
    export = jobs.start_export(plan, SLIDES, enqueue=False)
    ReviewExport.objects.filter(pk=export.pk).update(state=ExportState.FAILED, error="Broken.")
    page = viewer_client.get(reverse("kpis-review-export", args=[plan.pk, export.pk]))
    html = page.content.decode()
    assert "The slides could not be made." in html
    assert f'href="{slides_url(plan)}?stages=reach&amp;paper=A4&amp;retry=1"' in html


def test_outsiders_get_404(outsider_client: Client, plan: Plan) -> None:
    assert outsider_client.get(slides_url(plan)).status_code == 404
    export = jobs.start_export(plan, SLIDES, enqueue=False)
    download = reverse("kpis-review-download-slides", args=[plan.pk, export.pk])
    assert outsider_client.get(download).status_code == 404


def test_the_command_writes_slides(plan: Plan, tmp_path: Path) -> None:
    with_reach(plan)
    out = StringIO()
    target = tmp_path / "review.pptx"
    call_command("export_review", plan.pk, "-o", str(target), "--stage", "reach", stdout=out)
    titles = slide_titles(target.read_bytes())
    assert "Reach" in titles
    assert f"Wrote {target}: {len(titles)} slides" in out.getvalue()
    other = tmp_path / "deck.bin"
    call_command("export_review", plan.pk, "-o", str(other), "--format", "pptx", stdout=out)
    assert other.read_bytes().startswith(b"PK")  # a .pptx is a zip


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_slides_and_the_web_serves_them(
    export_worker: subprocess.Popen[bytes],
) -> None:
    plan = with_reach(make_plan(workspace=make_workspace(name="Northwind"), name="Northwind"))
    manager = make_member(workspace=plan.workspace, role=Role.VIEWER, username="mia-manager")
    client = Client()
    client.force_login(manager)

    clicked = client.get(slides_url(plan), {"stages": ["plan", "reach"]}, HTTP_HX_REQUEST="true")
    panel = clicked.content.decode()
    deadline = time.monotonic() + READY_WITHIN
    while "Your slides are ready" not in panel:
        assert export_worker.poll() is None, "the worker stopped"
        assert "could not be made" not in panel, panel
        assert time.monotonic() < deadline, f"not ready after {READY_WITHIN} s: {panel}"
        time.sleep(0.5)
        panel = client.get(clicked["HX-Push-Url"], HTTP_HX_REQUEST="true").content.decode()

    [export] = ReviewExport.objects.all()
    download = client.get(reverse("kpis-review-download-slides", args=[plan.pk, export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == PPTX
    titles = slide_titles(download.content)
    assert titles[0] == "Northwind" and "Reach" in titles and "Act" not in titles
    deck = Presentation(io.BytesIO(download.content))
    [reach] = [s for s in deck.slides if s.shapes.title.text == "Reach"]
    assert sum(1 for shape in reach.shapes if shape.shape_type == 13) == 1  # its chart, a picture
