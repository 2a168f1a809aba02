"""The API tokens page: a user creates, lists and revokes their own tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from api.schemas import BULK_LIMIT
from race_planner.http import AuthedRequest

NEW_SECRET = "api-new-token"  # noqa: S105 -- the session key holding a new secret until the page shows it


@require_http_methods(["GET", "POST"])
def token_list(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if form.is_valid():
        new = tokens.create_token(request.user, **form.cleaned_data)
        request.session[NEW_SECRET] = new.secret  # shown once, on the page this redirects to
        messages.success(request, f"Token “{new.token.label}” created. Copy it now.")
        return redirect("api-tokens")
    context = {
        "form": form,
        "tokens": tokens.tokens_of(request.user),
        "new_secret": request.session.pop(NEW_SECRET, None),
        "bulk_limit": BULK_LIMIT,
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "api/tokens.html", context)


@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)  # others' are 404
    if request.method == "POST":
        tokens.revoke(token)
        messages.success(request, f"Token “{token.label}” revoked: it no longer works.")
        return redirect("api-tokens")
    return TemplateResponse(request, "api/token_revoke.html", {"token": token})
