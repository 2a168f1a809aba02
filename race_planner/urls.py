from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from race_planner import logins
from race_planner.forms import IdConverter

register_converter(IdConverter, "id")

accounts = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", logins.log_out, name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="plans-list", permanent=False), name="home"),
    path("accounts/", include(accounts)),
    path("plans/", include("plans.urls")),
    path("", include("kpis.urls")),
    path("api/", include("api.urls")),
    path("", include("sharing.urls")),
    path("notifications/", include("nudges.urls")),
    path("admin/", admin.site.urls),
]
