"""URLs of the measuring side; plan-scoped ones live under /plans/<plan_id>/."""

from django.urls import path  # noqa: F401 -- used as routes are added

urlpatterns: list = []
