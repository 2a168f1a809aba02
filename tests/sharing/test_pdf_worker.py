"""A share link's PDF: made by a real `manage.py db_worker`, like a member's, and served to the
link's holder while the link lasts, download included."""

import subprocess

import pytest
from django.test import Client

from kpis.models import ExportState, ReviewExport
from plans.models import Role
from sharing import links
from tests.factories import make_kpi, make_measurement, make_member, make_plan, make_workspace
from tests.review_helpers import panel_when_ready, pdf_text
from tests.sharing.conftest import public_url, share

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.django_db(transaction=True)
def test_the_link_s_pdf_is_made_by_the_worker_and_stops_with_the_link(
    export_worker: subprocess.Popen[bytes],
) -> None:
    plan = make_plan(workspace=make_workspace(name="Northwind"), name="Northwind launch")
    kpi = make_kpi(plan=plan, name="Store visits", stage="reach")
    make_measurement(kpi=kpi, on=plan.period_start, value="1200")
    editor = make_member(workspace=plan.workspace, role=Role.EDITOR, username="ed-northwind")
    new = share(plan, by=editor, with_pdf=True)
    client = Client()  # nobody logged in

    clicked = client.get(
        public_url(new, "review.pdf"), {"stages": ["plan", "reach"]}, HTTP_HX_REQUEST="true"
    )
    progress = clicked["HX-Push-Url"]
    assert progress.startswith(public_url(new, "review/"))
    panel = panel_when_ready(client, progress, clicked.content.decode(), export_worker)

    [export] = ReviewExport.objects.all()
    assert export.state == ExportState.READY and export.requested_by is None
    download_url = public_url(new, f"review/{export.pk}.pdf")
    assert f'href="{download_url}"' in panel
    download = client.get(download_url, headers=HTML)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Robots-Tag"] == "noindex" and "no-store" in download["Cache-Control"]
    assert "Northwind launch" in pdf_text(download.content)

    links.revoke(new.link)
    assert client.get(download_url, headers=HTML).status_code == 404
    assert client.get(progress).status_code == 404
    assert client.get(public_url(new, "review.pdf")).status_code == 404
