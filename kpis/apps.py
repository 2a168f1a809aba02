from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs and actuals"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kpis import extensions
        from kpis.dashboards.status_query import register_sqlite_function

        # Registered on import: the system checks, and the receiver that deletes an export's file.
        from kpis.review import checks, jobs  # noqa: F401

        extensions.connect()
        # The portfolio's status filter calls race_kpi_status(...) in SQL; SQLite runs it as Python.
        connection_created.connect(register_sqlite_function, dispatch_uid="kpis-status-sqlite")
