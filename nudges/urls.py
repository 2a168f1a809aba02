from django.urls import path

from nudges import views

urlpatterns = [
    path("", views.notifications, name="nudges-list"),
    path("<id:notification_id>/read/", views.mark_read, name="nudges-mark-read"),
    path("read/", views.mark_all_read, name="nudges-mark-all-read"),
    path("settings/", views.preferences, name="nudges-preferences"),
    path("unsubscribe/<str:signed>/", views.unsubscribe, name="nudges-unsubscribe"),
]
