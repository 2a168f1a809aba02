"""The notifications page, marking read, the preferences page and the unsubscribe link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nudges.delivery import read_unsubscribe_token
from nudges.forms import PreferenceForm
from nudges.models import Kind, Notification, Preference
from race_planner.http import AuthedRequest

PAGE_SIZE = 30


@require_GET
def notifications(request: AuthedRequest) -> TemplateResponse:
    mine = Notification.objects.filter(user=request.user).defer("html")
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "nudges/notifications.html", {"page": page})


@require_POST
def mark_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user, pk=notification_id, read_at=None)
    mine.update(read_at=timezone.now())
    return redirect("nudges-list")


@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    count = Notification.objects.filter(user=request.user, read_at=None).update(
        read_at=timezone.now()
    )
    messages.success(request, f"Marked {count} notification(s) read.")
    return redirect("nudges-list")


@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    current = Preference.objects.filter(user=request.user).first()
    form = PreferenceForm(request.POST or None, instance=current or Preference(user=request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your notification settings are saved.")
        return redirect("nudges-preferences")
    return TemplateResponse(request, "nudges/preferences.html", {"form": form})


@login_not_required
@csrf_exempt  # the signed link is the credential; mail clients' one-click POST carries no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, signed: str) -> TemplateResponse:
    found = read_unsubscribe_token(signed)
    user = get_user_model().objects.filter(pk=found[0]).first() if found else None
    if found is None or user is None:
        raise Http404("This unsubscribe link is not valid.")
    kind = Kind(found[1])
    if request.method == "POST":
        preference, _ = Preference.objects.get_or_create(user=user)
        preference.turn_off(kind)
        preference.save()
    context = {"kind": kind, "done": request.method == "POST", "token": signed}
    return TemplateResponse(request, "nudges/unsubscribe.html", context)
