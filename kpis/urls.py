"""URLs of the measuring side; plan-scoped ones live under /plans/<plan_id>/."""

from django.urls import include, path

from kpis.actuals import views as actuals_views
from kpis.dashboards import views
from kpis.review import views as review_views

urlpatterns = [
    path("", include("kpis.advisor.health.urls")),
    path("audits/", include("kpis.advisor.audits.urls")),
    path("", include("kpis.advisor.actions.urls")),
    path("dashboard/", views.portfolio_dashboard, name="kpis-portfolio"),
    path("tools/reverse-funnel/", views.reverse_calculator, name="kpis-reverse-calculator"),
    path("plans/<id:plan_id>/dashboard/", views.dashboard, name="kpis-dashboard"),
    path("plans/<id:plan_id>/actuals/", actuals_views.actuals, name="kpis-actuals"),
    path("plans/<id:plan_id>/actuals/check-in/", actuals_views.check_in, name="kpis-check-in"),
    path(
        "plans/<id:plan_id>/actuals/import/",
        actuals_views.import_actuals,
        name="kpis-import",
    ),
    path(
        "plans/<id:plan_id>/actuals/export.csv",
        actuals_views.export_actuals,
        name="kpis-export",
    ),
    path("plans/<id:plan_id>/plan.xlsx", actuals_views.export_xlsx, name="kpis-export-xlsx"),
    path(
        "plans/<id:plan_id>/actuals/kpis/<id:kpi_id>/add/",
        actuals_views.measurement_add,
        name="kpis-measurement-add",
    ),
    path(
        "plans/<id:plan_id>/actuals/<id:measurement_id>/edit/",
        actuals_views.measurement_edit,
        name="kpis-measurement-edit",
    ),
    path(
        "plans/<id:plan_id>/actuals/<id:measurement_id>/delete/",
        actuals_views.measurement_delete,
        name="kpis-measurement-delete",
    ),
    path("plans/<id:plan_id>/review/", review_views.review_options, name="kpis-review"),
    path("plans/<id:plan_id>/review.pdf", review_views.review_pdf, name="kpis-review-pdf"),
    path("plans/<id:plan_id>/review.pptx", review_views.review_slides, name="kpis-review-slides"),
    path(
        "plans/<id:plan_id>/review/<id:export_id>/",
        review_views.review_export,
        name="kpis-review-export",
    ),
    path(
        "plans/<id:plan_id>/review/<id:export_id>.pdf",
        review_views.review_download,
        name="kpis-review-download",
    ),
    path(
        "plans/<id:plan_id>/review/<id:export_id>.pptx",
        review_views.review_download,
        {"file_format": "pptx"},
        name="kpis-review-download-slides",
    ),
]
