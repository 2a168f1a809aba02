"""URLs of the measuring side; plan-scoped ones live under /plans/<plan_id>/."""

from django.urls import path

from kpis import review_views

urlpatterns: list = [
    path("plans/<int:plan_id>/review/", review_views.review_options, name="kpis-review"),
    path("plans/<int:plan_id>/review.pdf", review_views.review_pdf, name="kpis-review-pdf"),
]
