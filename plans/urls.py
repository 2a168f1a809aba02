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
    path("<int:plan_id>/", worksheet.plan_detail, name="plans-detail"),
    path("<int:plan_id>/settings/", views.plan_settings, name="plans-settings"),
    path("<int:plan_id>/delete/", views.plan_delete, name="plans-delete"),
    path("<int:plan_id>/roll-forward/", views.plan_roll_forward, name="plans-roll-forward"),
    path("<int:plan_id>/history/", views.plan_history, name="plans-history"),
    path(
        "<int:plan_id>/history/<str:kind>/<int:history_id>/restore/",
        views.history_restore,
        name="plans-history-restore",
    ),
    path("<int:plan_id>/stage-nav/", worksheet.stage_nav, name="plans-stage-nav"),
    path(
        "<int:plan_id>/worksheets/<int:worksheet_id>/",
        worksheet.worksheet_update,
        name="plans-worksheet-update",
    ),
    path(
        "<int:plan_id>/worksheets/<int:worksheet_id>/primary-kpi/",
        worksheet.primary_kpi_field,
        name="plans-primary-kpi",
    ),
    path(
        "<int:plan_id>/stages/<str:stage>/<kind:kind>/new/",
        worksheet.item_create,
        name="plans-item-create",
    ),
    path("<int:plan_id>/<kind:kind>/<int:item_id>/", worksheet.item_row, name="plans-item"),
    path(
        "<int:plan_id>/<kind:kind>/<int:item_id>/edit/",
        worksheet.item_update,
        name="plans-item-update",
    ),
    path(
        "<int:plan_id>/<kind:kind>/<int:item_id>/delete/",
        worksheet.item_delete,
        name="plans-item-delete",
    ),
    path(
        "<int:plan_id>/<kind:kind>/<int:item_id>/move/", worksheet.item_move, name="plans-item-move"
    ),
]
