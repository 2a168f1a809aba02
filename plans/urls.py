from django.urls import path, register_converter

from plans import views
from plans.worksheet import views as worksheet
from plans.worksheet.rows import KINDS


class ItemKindConverter:
    """Only the item kinds match, so /plans/<id>/actuals/… stays free for the measuring side."""

    regex = "|".join(KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ItemKindConverter, "kind")

urlpatterns = [
    path("", views.plan_list, name="plans-list"),
    path("new/", views.plan_create, name="plans-create"),
    path("<id:plan_id>/", worksheet.plan_detail, name="plans-detail"),
    path("<id:plan_id>/settings/", views.plan_settings, name="plans-settings"),
    path("<id:plan_id>/delete/", views.plan_delete, name="plans-delete"),
    path("<id:plan_id>/roll-forward/", views.plan_roll_forward, name="plans-roll-forward"),
    path("<id:plan_id>/history/", views.plan_history, name="plans-history"),
    path(
        "<id:plan_id>/history/<str:kind>/<id:history_id>/restore/",
        views.history_restore,
        name="plans-history-restore",
    ),
    path("<id:plan_id>/stage-nav/", worksheet.stage_nav, name="plans-stage-nav"),
    path(
        "<id:plan_id>/worksheets/<id:worksheet_id>/",
        worksheet.worksheet_update,
        name="plans-worksheet-update",
    ),
    path(
        "<id:plan_id>/worksheets/<id:worksheet_id>/primary-kpi/",
        worksheet.primary_kpi_field,
        name="plans-primary-kpi",
    ),
    path(
        "<id:plan_id>/stages/<str:stage>/<kind:kind>/new/",
        worksheet.item_create,
        name="plans-item-create",
    ),
    path("<id:plan_id>/<kind:kind>/<id:item_id>/", worksheet.item_row, name="plans-item"),
    path(
        "<id:plan_id>/<kind:kind>/<id:item_id>/edit/",
        worksheet.item_update,
        name="plans-item-update",
    ),
    path(
        "<id:plan_id>/<kind:kind>/<id:item_id>/delete/",
        worksheet.item_delete,
        name="plans-item-delete",
    ),
    path(
        "<id:plan_id>/<kind:kind>/<id:item_id>/move/", worksheet.item_move, name="plans-item-move"
    ),
]
