"""Answers go out gzipped to browsers that ask for it, plain to clients that do not, and every
answer that may be either says so (Vary: Accept-Encoding) so that no cache mixes them up."""

import gzip
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import reverse

from kpis.models import ExportState, ReviewExport
from kpis.review.jobs import storage
from plans.models import Plan
from race_planner.compression import BufferedGZipMiddleware
from tests.factories import make_kpi, make_measurement

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium sends


def fill(plan: Plan) -> None:
    for n in range(12):
        kpi = make_kpi(plan=plan, name=f"Newsletter sign-ups {n}", position=n)
        make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120", note="weekly check-in")


def accepts_encoding(response: HttpResponseBase) -> bool:
    return "accept-encoding" in response.get("Vary", "").lower()


def test_worksheet_comes_gzipped_when_the_browser_asks(editor_client: Client, plan: Plan) -> None:
    fill(plan)
    url = reverse("plans-detail", args=[plan.pk])
    plain = editor_client.get(url)
    zipped = editor_client.get(url, headers=BROWSER)
    assert zipped["Content-Encoding"] == "gzip" and accepts_encoding(zipped)
    html = gzip.decompress(zipped.content).decode()
    assert "Newsletter sign-ups 11" in html and html.rstrip().endswith("</html>")
    assert len(zipped.content) < len(plain.content) / 4
    assert zipped["Content-Length"] == str(len(zipped.content))


def test_worksheet_comes_plain_to_a_client_that_does_not_ask(
    editor_client: Client, plan: Plan
) -> None:
    fill(plan)
    response = editor_client.get(reverse("plans-detail", args=[plan.pk]))
    assert "Content-Encoding" not in response and accepts_encoding(response)
    assert "Newsletter sign-ups 11" in response.content.decode()
    refused = editor_client.get(
        reverse("plans-detail", args=[plan.pk]), headers={"Accept-Encoding": "br"}
    )
    assert "Content-Encoding" not in refused  # brotli only: we answer it plain


@pytest.mark.parametrize(
    ("who", "url_name", "headers"),
    [
        ("anyone", "login", {}),
        ("viewer", "kpis-dashboard", {}),
        ("viewer", "kpis-actuals", {}),
        ("editor", "plans-stage-nav", {"HX-Request": "true"}),  # an htmx fragment
    ],
)
def test_pages_and_fragments_come_gzipped(
    client: Client, editor, viewer, plan: Plan, who: str, url_name: str, headers: dict[str, str]
) -> None:
    fill(plan)
    if who != "anyone":
        client.force_login(editor if who == "editor" else viewer)
    args = [] if url_name == "login" else [plan.pk]
    response = client.get(reverse(url_name, args=args), headers=BROWSER | headers)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip" and accepts_encoding(response)
    assert gzip.decompress(response.content).decode().strip()


def test_error_pages_come_gzipped_too(editor_client: Client) -> None:
    response = editor_client.get("/plans/999999/", headers=BROWSER)
    assert response.status_code == 404 and response["Content-Encoding"] == "gzip"
    assert "Back to your plans" in gzip.decompress(response.content).decode()


def test_the_same_page_never_compresses_to_the_same_bytes(client: Client, db: None) -> None:
    """BREACH: random bytes in every gzip header (and a CSRF token masked anew every time), so
    an attacker cannot learn a secret by comparing the sizes of compressed answers."""
    bodies = {client.get(reverse("login"), headers=BROWSER).content for _ in range(5)}
    assert len(bodies) == 5
    assert all(body.startswith(b"\x1f\x8b") for body in bodies)  # gzip, each one
    assert all(body[3] & gzip.FNAME for body in bodies)  # with a random "file name" in its header


def test_csv_export_comes_gzipped_and_stays_an_attachment(viewer_client: Client, plan) -> None:
    fill(plan)
    url = reverse("kpis-export", args=[plan.pk])
    plain = viewer_client.get(url)
    zipped = viewer_client.get(url, headers=BROWSER)
    assert zipped["Content-Encoding"] == "gzip"
    assert zipped["Content-Disposition"] == plain["Content-Disposition"]
    assert zipped["Content-Disposition"].startswith("attachment;")
    assert gzip.decompress(zipped.content) == plain.content  # BOM and all


def test_review_pdf_download_comes_gzipped_and_unchanged(viewer_client: Client, plan) -> None:
    pdf = b"%PDF-1.7\n" + b"1 0 obj << /Type /Font /Subtype /TrueType >> endobj\n" * 200
    name = storage().save("test-compression.pdf", ContentFile(pdf))
    export = ReviewExport.objects.create(
        plan=plan,
        fingerprint="c" * 64,
        options={},
        as_of=date(2026, 7, 6),
        state=ExportState.READY,
        file=name,
        filename="spring-push-review.pdf",
        pages=1,
        size=len(pdf),
    )
    url = reverse("kpis-review-download", args=[plan.pk, export.pk])
    zipped = viewer_client.get(url, headers=BROWSER)
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/pdf"
    assert zipped["Content-Encoding"] == "gzip"
    assert zipped["Content-Disposition"] == 'attachment; filename="spring-push-review.pdf"'
    assert gzip.decompress(zipped.content) == pdf
    assert viewer_client.get(url).content == pdf  # a script without Accept-Encoding


def test_streamed_answers_go_out_as_they_are(tmp_path) -> None:
    """A file streamed from disk keeps its length (download progress) and its bytes."""
    path = tmp_path / "slides.txt"
    path.write_bytes(b"Reach, Act, Convert, Engage\n" * 500)

    def view(request: HttpRequest) -> FileResponse:
        return FileResponse(path.open("rb"), as_attachment=True)

    request = RequestFactory().get("/slides.txt", headers=BROWSER)
    response = BufferedGZipMiddleware(view)(request)
    assert isinstance(response, FileResponse)
    assert response.streaming and "Content-Encoding" not in response
    assert response["Content-Length"] == str(path.stat().st_size)
    assert b"".join(response.streaming_content) == path.read_bytes()  # type: ignore[arg-type]
