"""The web tier never draws: an export started through the views waits for a worker, and a real
`manage.py db_worker` process makes the PDF that the web then serves."""

import os
import subprocess

import kaleido
import pytest
from django.test import Client
from django.urls import reverse
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from kpis.models import ExportState, ReviewExport
from kpis.review import charts as review_charts
from kpis.review import export as review_export
from plans.models import Plan, Role
from tests.factories import make_kpi, make_measurement, make_member, make_plan, make_workspace
from tests.review_helpers import browser_processes_under, panel_when_ready, pdf_text

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
READY_WITHIN = 120  # seconds; a first export on a busy 2-core machine takes 10-25 s


def test_the_web_never_starts_a_browser(
    viewer_client: Client, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(
        task_backends["default"], DatabaseBackend
    )  # the default: jobs wait for a worker
    make_kpi(plan=plan, name="Visitors", stage="reach")
    calls: list[str] = []

    def tripwire(name: str):
        def called(*args: object, **kwargs: object) -> None:
            calls.append(name)
            raise AssertionError(f"{name} called in the web process")

        return called

    monkeypatch.setattr(kaleido, "start_sync_server", tripwire("kaleido.start_sync_server"))
    monkeypatch.setattr(review_export, "export_review", tripwire("export_review"))
    monkeypatch.setattr(review_charts, "render_svgs", tripwire("render_svgs"))
    browser_before = review_charts.browser_pid()  # earlier tests of this process may have one
    browsers_before = browser_processes_under(os.getpid())

    options = reverse("kpis-review", kwargs={"plan_id": plan.pk})
    pdf = reverse("kpis-review-pdf", kwargs={"plan_id": plan.pk})
    assert viewer_client.get(options, headers=HTML).status_code == 200
    clicked = viewer_client.get(
        pdf, {"stages": ["reach"]}, headers=HTML
    )  # the button, without htmx
    assert clicked.status_code == 302
    with_htmx = viewer_client.get(pdf, {"stages": ["act"]}, HTTP_HX_REQUEST="true")
    assert with_htmx.status_code == 200
    by_script = viewer_client.get(pdf, {"stages": ["convert"]})
    assert by_script.status_code == 202
    for _ in range(3):  # the page polls
        assert viewer_client.get(clicked["Location"], HTTP_HX_REQUEST="true").status_code == 200
    assert viewer_client.get(by_script["Location"]).status_code == 202

    assert calls == []
    assert browser_processes_under(os.getpid()) == browsers_before
    assert review_charts.browser_pid() == browser_before
    assert set(ReviewExport.objects.values_list("state", flat=True)) == {ExportState.QUEUED}
    assert DBTaskResult.objects.filter(status="READY").count() == 3  # waiting for a worker


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_pdf_and_the_web_serves_it(
    export_worker: subprocess.Popen[bytes],
) -> None:
    plan = make_plan(workspace=make_workspace(name="Northwind"), name="Northwind launch")
    kpi = make_kpi(plan=plan, name="Store visits", stage="reach")
    make_measurement(kpi=kpi, on=plan.period_start, value="1200")
    manager = make_member(workspace=plan.workspace, role=Role.VIEWER, username="mia-manager")
    client = Client()
    client.force_login(manager)
    browsers_before = browser_processes_under(os.getpid())

    options = client.get(reverse("kpis-review", kwargs={"plan_id": plan.pk}), headers=HTML)
    assert "Export PDF" in options.content.decode()
    clicked = client.get(
        reverse("kpis-review-pdf", kwargs={"plan_id": plan.pk}),
        {"stages": ["plan", "reach"], "paper": "A4"},
        HTTP_HX_REQUEST="true",
    )
    progress = clicked["HX-Push-Url"]
    panel_when_ready(client, progress, clicked.content.decode(), export_worker, within=READY_WITHIN)

    [export] = ReviewExport.objects.all()
    assert export.state == ExportState.READY
    download = client.get(reverse("kpis-review-download", args=[plan.pk, export.pk]), headers=HTML)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")
    assert "Northwind launch" in pdf_text(download.content)
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL" and task.worker_ids  # run by the worker process
    # The worker drew the charts: its Chromium is its own, the test process started none.
    workers = browser_processes_under(export_worker.pid)
    assert workers
    assert browser_processes_under(os.getpid()) - workers == browsers_before
