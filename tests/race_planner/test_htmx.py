"""The one htmx convention: a page for plain requests, its partial for htmx, fragments always."""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from race_planner.htmx import Fragment, for_htmx

PAGE = "plans/item_delete.html"


def _request(**headers: Any) -> Any:
    request: Any = RequestFactory().get("/", **headers)
    request.htmx = HtmxDetails(request)
    return request


def _template(response: HttpResponse) -> str:
    assert isinstance(response, TemplateResponse)
    return str(response.template_name)


@for_htmx(use_partial="item-delete")
def page_view(request) -> HttpResponse:
    return TemplateResponse(request, PAGE, {})


def test_a_plain_request_gets_the_page() -> None:
    response = page_view(_request())
    assert _template(response) == PAGE
    assert response["Vary"] == "HX-Request"  # a cache keeps the page and the partial apart


def test_an_htmx_request_gets_the_partial() -> None:
    assert _template(page_view(_request(HTTP_HX_REQUEST="true"))) == f"{PAGE}#item-delete"


def test_a_history_restore_gets_the_whole_page() -> None:
    """htmx asks for the page it lost from its cache: a partial would replace the whole body."""
    request = _request(HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert _template(page_view(request)) == PAGE


def test_fragments_and_redirects_pass_through() -> None:
    @for_htmx(use_partial="item-delete")
    def saved(request) -> HttpResponse:
        if request.GET.get("plain"):
            return redirect("/plans/")
        return Fragment(request, "plans/worksheet.html", "item-row", {})

    assert _template(saved(_request(HTTP_HX_REQUEST="true"))) == "plans/worksheet.html#item-row"
    assert _template(saved(_request())) == "plans/worksheet.html#item-row"
    assert saved(RequestFactory().get("/?plain=1", HTTP_HX_REQUEST="true")).status_code == 302
