from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs and actuals"

    def ready(self) -> None:
        from kpis import extensions

        # Registered on import: the system checks, and the receiver that deletes an export's file.
        from kpis.review import checks, jobs  # noqa: F401

        extensions.connect()
