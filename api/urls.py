"""/api/: the token pages for people, and /api/v1/ for programs."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path

from api import views
from api.v1 import api


def _public(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The API's own views: a token, not the login session, lets a request in."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(pattern.callback)
    return patterns


@login_not_required
def unknown_endpoint(request: HttpRequest) -> JsonResponse:
    """JSON, not the site's HTML 404 page, for a path under /api/v1/ that is no endpoint."""
    message = f"No endpoint {request.path}. The endpoints are listed at /api/v1/docs."
    return JsonResponse({"message": message}, status=404)


v1_patterns, v1_app, v1_namespace = api.urls

urlpatterns = [
    path("tokens/", views.token_list, name="api-tokens"),
    path("tokens/<id:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
    path("v1/", (_public(v1_patterns), v1_app, v1_namespace)),
    re_path(r"^v1/", unknown_endpoint),
]
