from django.urls import path

from kpis.advisor.health import views

urlpatterns = [
    path("plans/<id:plan_id>/health/", views.health_page, name="kpis-health"),
    path("plans/<id:plan_id>/health/panel/", views.health_panel, name="kpis-health-panel"),
]
