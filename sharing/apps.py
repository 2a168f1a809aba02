from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Share links"

    def ready(self) -> None:
        from plans import extensions

        # Only editors create and revoke links: viewers never see the button.
        extensions.add_plan_link("Share", "sharing-links", writers_only=True)
