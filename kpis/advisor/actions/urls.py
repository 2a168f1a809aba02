"""The 90-day improvement plan of a plan: /plans/<id>/improve/."""

from django.urls import path

from kpis.advisor.actions import views

urlpatterns = [
    path("plans/<id:plan_id>/improve/", views.improve, name="kpis-improve"),
    path("plans/<id:plan_id>/improve/add/", views.add_action, name="kpis-improve-add"),
]
