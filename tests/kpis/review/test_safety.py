"""The review PDF fetches nothing it should not: user text stays text, URLs stay unfetched."""

import re
from datetime import date
from html import escape as html_escape

import pytest
from django.test import Client
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from kpis.dashboards.charts import plotly_text
from kpis.review import charts as review_charts
from kpis.review.export import export_review
from kpis.review.fetcher import BASE_URL, BlockedURL, ReviewURLFetcher, static_path
from plans.models import Workspace
from tests.factories import (
    make_kpi,
    make_measurement,
    make_objective,
    make_plan,
    make_tactic,
    make_workspace,
)
from tests.markup import make_markup_plan, page_figures, strings
from tests.review_helpers import CountingServer, counting_server, pdf_text


def hostile(server: CountingServer) -> list[str]:
    origin = server.origin
    return [
        '<img src="file:///etc/passwd">',
        f"url({origin}/from-css.png)",
        f'<link rel="stylesheet" href="{origin}/evil.css">',
        f"<style>@import url({origin}/imported.css);</style>",
        f'<img src="{origin}/pixel.png">',
        f'<svg><image href="{origin}/svg-image.png"/></svg>',
    ]


def test_the_counting_server_does_count_a_real_fetch() -> None:
    """Guard for the tests below: WeasyPrint's own fetcher does reach the server."""
    with counting_server() as server:
        HTML(string=f'<link rel="stylesheet" href="{server.origin}/a.css">').render(
            url_fetcher=URLFetcher()
        )
    assert server.paths == ["/a.css"]


def test_user_text_in_every_field_fetches_nothing_and_shows_as_text(db: None) -> None:
    with counting_server() as server:
        payloads = hostile(server)
        text = " ".join(payloads)
        plan = make_plan(
            workspace=make_workspace(name=payloads[0]),
            name=f"Plan {payloads[2]}",
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
        )
        plan.summary = text
        plan.save()
        plan.worksheets.filter(stage="reach").update(opportunity=text, strategy=text, actions=text)
        kpi = make_kpi(plan=plan, name=f"Visitors {payloads[1]}")
        kpi.definition = text[:300]
        kpi.save()
        make_measurement(kpi=kpi, on=date(2026, 8, 1), value="90", note=text[:300])
        make_objective(plan=plan, title=payloads[3], kpi=kpi)
        make_tactic(plan=plan, title=payloads[4], channel=payloads[5][:80], owner=payloads[2][:120])
        result = export_review(plan, today=date(2026, 8, 15))

    assert server.paths == []
    assert result.fetcher.blocked == []  # escaped markup is not even a URL to WeasyPrint
    assert all(
        url.startswith("data:") or static_path(url) is not None for url in result.fetcher.served
    )
    shown = pdf_text(result.pdf).replace(" ", "")
    for payload in payloads:
        assert payload.replace(" ", "") in shown, f"{payload!r} is not shown as text"


def test_the_fetcher_refuses_and_logs_everything_but_our_static_files(tmp_path) -> None:
    """The second wall: even markup that reached WeasyPrint unescaped loads nothing."""
    with counting_server() as server:
        fetcher = ReviewURLFetcher()
        html = (
            f'<link rel="stylesheet" href="{server.origin}/evil.css">'
            f"<style>@import url({server.origin}/imported.css);"
            f" body {{ background: url({server.origin}/bg.png) }}</style>"
            f'<img src="{server.origin}/pixel.png"><img src="file:///etc/passwd">'
            f'<img src="ftp://127.0.0.1:{server.port}/x.png">'
            '<link rel="stylesheet" href="/static/css/review.css">'
        )
        HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    assert server.paths == []
    assert f"{server.origin}/evil.css" in fetcher.blocked
    assert f"{server.origin}/imported.css" in fetcher.blocked
    assert f"{server.origin}/pixel.png" in fetcher.blocked
    assert "file:///etc/passwd" in fetcher.blocked
    assert fetcher.served == [BASE_URL + "static/css/review.css"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/",
        BASE_URL + "static/../race_planner/settings.py",
        BASE_URL + "static/%2e%2e/race_planner/settings.py",
        BASE_URL + "static//etc/passwd",
        BASE_URL + "static/css/review.css?x=1",
        BASE_URL + "media/upload.csv",
        "https://evil.example/static/css/review.css",
        BASE_URL + "static/css/missing.css",
    ],
)
def test_the_fetcher_blocks(url: str) -> None:
    fetcher = ReviewURLFetcher()
    with pytest.raises(BlockedURL):
        fetcher.fetch(url)
    assert fetcher.blocked == [url]


def test_the_fetcher_serves_static_files_and_data_uris() -> None:
    fetcher = ReviewURLFetcher()
    css = fetcher.fetch(BASE_URL + "static/css/review.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    data = fetcher.fetch("data:text/plain;base64,aGk=")
    assert data.read() == b"hi"


def test_markup_in_chart_text_fetches_nothing_and_links_nowhere(
    viewer_client: Client, workspace: Workspace
) -> None:
    """KPI names, tactic channels, an objective, stage texts and notes carry markup aimed at a
    listener: neither the PDF (charts drawn by kaleido's Chromium) nor the dashboard reaches it,
    the charts hold no link and no styled span, and the names show as typed."""
    with counting_server() as server:
        made = make_markup_plan(server, workspace=workspace)
        review_charts.clear_cache()  # every chart of this export drawn now, in the browser
        result = export_review(made.plan, today=date(2026, 8, 15))
        svgs = list(review_charts._cache.values())
        response = viewer_client.get(reverse("kpis-dashboard", args=[made.plan.pk]))
    assert server.paths == []
    assert result.fetcher.blocked == []

    # The PDF's charts: the names as text, no <a> element, no paint fetched from a URL.
    assert len(svgs) >= 5  # funnel, two budget charts, a chart per KPI
    for svg in svgs:
        assert not re.search(r"<a[\s>]", svg)
        assert not [tag for tag in re.findall(r"<[^<>]*>", svg) if "url(http" in tag]
    drawn = "".join(svgs)
    for text in [*made.kpi_names, *made.channels]:  # as text: "<" and ">" as entities
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in drawn, text
    shown = pdf_text(result.pdf).replace(" ", "")  # long words wrap anywhere
    for text in [*made.kpi_names, *made.channels, made.objective, made.stage_text]:
        assert text.replace(" ", "") in shown, text  # (notes are not part of the review)

    # The dashboard's figures: no tag Plotly would read, the user's text escaped for it.
    html = response.content.decode()
    figures = page_figures(html)
    # The funnel is rows of autoescaped text now, not a chart; the budget charts remain.
    assert {"fig-budget-stage", "fig-budget-channel"} <= set(figures)
    assert "fig-funnel" not in figures
    assert sum(key.startswith("fig-kpi-") for key in figures) == 2
    texts = [text for figure in figures.values() for text in strings(figure)]
    assert not [text for text in texts if "<a" in text.lower() or "<span" in text.lower()]
    for text in made.channels:  # the budget chart's categories, escaped for Plotly
        assert any(plotly_text(text) in each for each in texts), text
    for text in made.kpi_names:  # named on the KPI cards, outside the charts, as text
        assert html_escape(text) in html, text
    assert f'<a href="{server.origin}' not in html  # the page's own text is autoescaped
    assert f'<span style="fill:url({server.origin}' not in html
