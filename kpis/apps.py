from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs and actuals"

    def ready(self) -> None:
        from kpis import extensions
        from kpis.review import checks  # noqa: F401 -- registers the system checks

        extensions.connect()
