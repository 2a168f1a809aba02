from django.urls import path

from plans import views

urlpatterns = [
    path("", views.plan_list, name="plans-list"),
    path("<int:plan_id>/", views.plan_detail, name="plans-detail"),
]
