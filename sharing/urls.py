"""The Share page under a plan, and what a link opens under /s/<token>/ (no plan id in it)."""

from django.urls import path

from sharing import views

urlpatterns = [
    path("plans/<id:plan_id>/share/", views.share_links, name="sharing-links"),
    path(
        "plans/<id:plan_id>/share/<id:link_id>/revoke/",
        views.share_revoke,
        name="sharing-revoke",
    ),
    path("s/<str:token>/", views.shared_dashboard, name="sharing-dashboard"),
    path("s/<str:token>/review.pdf", views.shared_review_pdf, name="sharing-review-pdf"),
    path(
        "s/<str:token>/review/<id:export_id>/",
        views.shared_review_export,
        name="sharing-review-export",
    ),
    path(
        "s/<str:token>/review/<id:export_id>.pdf",
        views.shared_review_download,
        name="sharing-review-download",
    ),
]
