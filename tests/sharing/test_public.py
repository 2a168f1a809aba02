"""What a share link opens: this plan's dashboard, read-only, to anyone, and nothing else."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kpis.models import ReviewExport
from plans.models import Plan, Role
from sharing import links
from sharing.models import ShareLink
from tests.factories import (
    make_kpi,
    make_measurement,
    make_member,
    make_plan,
    make_tactic,
    make_workspace,
)
from tests.sharing.conftest import public_url, share

URLS_IN_PAGE = re.compile(r'(?:href|action|hx-get|src)="([^"]*)"')


@pytest.fixture
def neighbours(workspace, plan) -> list[Plan]:
    """A plan beside ours in its workspace and one in another workspace, with names to spot."""
    return [
        make_plan(workspace=workspace, name="Zebra secret relaunch"),
        make_plan(workspace=make_workspace(name="Quokka Holdings"), name="Quokka takeover"),
    ]


def _without_csrf(response) -> str:
    """The page, its per-request CSRF token left out."""
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())


def _measured(plan: Plan, kpis: int) -> None:
    for n in range(kpis):
        kpi = make_kpi(plan=plan, name=f"Store visits {n}", stage=("reach", "act")[n % 2])
        for week in range(4):
            make_measurement(kpi=kpi, on=date(2026, 7, 6) + timedelta(weeks=week), value="150")
    make_tactic(plan=plan, channel="Newsletter")


def test_anyone_with_the_link_sees_the_plan_s_dashboard_and_it_counts(editor, plan, neighbours):
    _measured(plan, 2)
    new = share(plan, by=editor)
    response = Client().get(public_url(new))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Spring push</h1>" in page and "Store visits 1" in page and "Newsletter" in page
    assert 'data-chart="fig-budget-stage"' in page
    link = ShareLink.objects.get()
    assert link.uses == 1 and link.last_used_at is not None
    assert "This link works until" in page


def test_the_page_is_kept_out_of_search_engines_and_caches(editor, plan):
    response = Client().get(public_url(share(plan, by=editor)))
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]  # the site's own CSP


def test_the_page_links_to_nothing_of_the_app(editor, plan, neighbours, outsider_client):
    _measured(plan, 2)
    new = share(plan, by=editor, with_pdf=True)
    for client in (Client(), outsider_client):  # logged in or not, the same page
        page = client.get(public_url(new)).content.decode()
        for url in URLS_IN_PAGE.findall(page):
            assert url.startswith((f"/s/{new.secret}/", "/static/", "#")), url
        for other in neighbours:
            assert other.name not in page and f"/plans/{other.pk}/" not in page
        assert "Quokka Holdings" not in page and "Acme" not in page  # no workspace names
        assert "eddie-editor" not in page and "otto-outsider" not in page
        assert 'class="topnav"' not in page and "Log out" not in page
        assert f"/plans/{plan.pk}/" not in page and "Weekly check-in" not in page
        assert "Add an actual" not in page and "Edit actuals" not in page
        assert f'href="/s/{new.secret}/review.pdf"' in page  # the PDF, through the link


def test_filters_stay_on_the_link_and_do_not_count_as_uses(editor, plan):
    _measured(plan, 2)
    new = share(plan, by=editor, with_pdf=True)
    client = Client()
    client.get(public_url(new))
    swap = client.get(
        public_url(new), {"start": "2026-07-13", "audience": ""}, HTTP_HX_REQUEST="true"
    )
    fragment = swap.content.decode()
    assert swap.status_code == 200 and "<html" not in fragment
    assert f'hx-get="/s/{new.secret}/"' in fragment
    assert f'href="/s/{new.secret}/review.pdf?start=2026-07-13&amp;audience="' in fragment
    assert ShareLink.objects.get().uses == 1


def test_without_the_pdf_the_page_offers_none(editor, plan):
    page = Client().get(public_url(share(plan, by=editor))).content.decode()
    assert "Export PDF" not in page and "review.pdf" not in page


def test_expired_revoked_and_unknown_links_are_the_same_404(editor, plan):
    today = timezone.localdate()
    last_day = share(plan, by=editor, expires_on=today)
    expired = share(plan, by=editor, expires_on=today)
    ShareLink.objects.filter(pk=expired.link.pk).update(expires_on=today - timedelta(days=1))
    revoked = share(plan, by=editor)
    links.revoke(revoked.link)
    client = Client()
    assert client.get(public_url(last_day)).status_code == 200  # works through its last day
    unknown = client.get("/s/" + "x" * 43 + "/")
    assert unknown.status_code == 404
    for new in (expired, revoked):
        response = client.get(public_url(new))
        assert response.status_code == 404
        assert _without_csrf(response) == _without_csrf(unknown)
    assert ShareLink.objects.filter(uses__gt=0).count() == 1


def test_a_link_without_the_pdf_refuses_every_pdf_door(editor, plan):
    new = share(plan, by=editor, with_pdf=False)
    export = ReviewExport.objects.create(
        plan=plan, fingerprint="0" * 64, options={}, as_of=date(2026, 7, 6)
    )
    client = Client()
    for rest in ("review.pdf", f"review/{export.pk}/", f"review/{export.pk}.pdf"):
        assert client.get(public_url(new, rest)).status_code == 404, rest


def test_a_link_never_reaches_another_plan_s_export(editor, plan, workspace):
    new = share(plan, by=editor, with_pdf=True)
    other = ReviewExport.objects.create(
        plan=make_plan(workspace=workspace),
        fingerprint="1" * 64,
        options={},
        as_of=date(2026, 7, 6),
    )
    client = Client()
    assert client.get(public_url(new, f"review/{other.pk}/")).status_code == 404
    assert client.get(public_url(new, f"review/{other.pk}.pdf")).status_code == 404


def test_a_link_never_reaches_the_plan_s_slides(editor, plan):
    """A link opens the PDF; the slides members made of the same plan stay theirs."""
    new = share(plan, by=editor, with_pdf=True)
    slides = ReviewExport.objects.create(
        plan=plan, fingerprint="2" * 64, options={"format": "pptx"}, as_of=date(2026, 7, 6)
    )
    client = Client()
    for rest in (f"review/{slides.pk}/", f"review/{slides.pk}.pdf"):
        assert client.get(public_url(new, rest)).status_code == 404, rest


def test_the_pdf_is_the_members_job(editor, plan):
    """The link's PDF door starts the export a member starts with the same options: one job."""
    make_kpi(plan=plan, name="Visitors", stage="reach")
    new = share(plan, by=editor, with_pdf=True)
    clicked = Client().get(
        public_url(new, "review.pdf"), {"start": "2026-07-01"}, headers={"Accept": "text/html"}
    )
    [export] = ReviewExport.objects.all()
    assert clicked.status_code == 302
    assert clicked["Location"] == public_url(new, f"review/{export.pk}/")
    member = Client()
    member.force_login(make_member(workspace=plan.workspace, role=Role.VIEWER))
    joined = member.get(f"/plans/{plan.pk}/review.pdf", {"start": "2026-07-01"})
    assert joined.status_code == 202 and ReviewExport.objects.count() == 1
    panel = Client().get(clicked["Location"]).content.decode()
    assert "Waiting for a free worker" in panel and "Back to the dashboard" in panel
    for url in URLS_IN_PAGE.findall(panel):
        assert url.startswith((f"/s/{new.secret}/", "/static/", "#")), url
    assert "Change the options" not in panel


def test_bad_pdf_options_are_refused(editor, plan):
    new = share(plan, by=editor, with_pdf=True)
    response = Client().get(
        public_url(new, "review.pdf"), {"start": "2026-09-01", "end": "2026-07-01"}
    )
    assert response.status_code == 400 and not ReviewExport.objects.exists()


def test_uses_are_counted_in_the_database_not_read_and_written_back(editor, plan):
    share(plan, by=editor)
    # Both read before either counts: a read-modify-write would count one visit, not two.
    first, second = ShareLink.objects.get(), ShareLink.objects.get()
    links.record_use(first, now=timezone.now())
    links.record_use(second, now=timezone.now())
    assert ShareLink.objects.get().uses == 2


@pytest.mark.parametrize("kpis", [1, 12])
def test_the_public_dashboard_takes_a_fixed_number_of_queries(
    editor, plan, kpis, django_assert_num_queries
):
    _measured(plan, kpis)
    new = share(plan, by=editor, with_pdf=True)
    client = Client()
    with django_assert_num_queries(6):
        assert client.get(public_url(new)).status_code == 200
