"""/audits/: a workspace's capability audits, one a quarter."""

from django.urls import path

from kpis.advisor.audits import views

urlpatterns = [
    path("", views.audit_list, name="kpis-audits"),
    path("workspaces/<id:workspace_id>/start/", views.audit_start, name="kpis-audit-start"),
    path("<id:audit_id>/", views.audit_detail, name="kpis-audit"),
    path("<id:audit_id>/answers/", views.audit_edit, name="kpis-audit-edit"),
    path("<id:audit_id>/delete/", views.audit_delete, name="kpis-audit-delete"),
]
