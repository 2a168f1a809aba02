from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        from plans import revisions
        from race_planner.navigation import add_nav_link

        add_nav_link("Plans", "plans-list")
        revisions.connect()
