from django.apps import AppConfig


class NudgesConfig(AppConfig):
    name = "nudges"
    verbose_name = "Reminders, alerts and digests"

    def ready(self) -> None:
        from nudges.header import unread_count
        from race_planner.navigation import add_user_link

        add_user_link("Notifications", "nudges-list", count=unread_count)
