"""Queries of a fixed shape whose SQL the ORM writes once per process, then only runs.

A page that reads the same shape of query on every view (a plan's rows, by the plan's id) paid
Django more for compiling the statement (joins, ordering, select lists) than the database for
running it. `Prepared` has the ORM write the query once per database, with a stand-in value
(`Marker`) for each argument, and then runs that SQL with the real values in their places: the
rows come back through the ORM's own converters and, for model rows, its own way of building
instances and their `select_related` rows, as `list(queryset)` would give them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import DateField, Field, IntegerField, Model, QuerySet

# Django's own builder of select_related rows (ModelIterable uses it); not in the stubs.
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Marker:
    """A stand-in for an argument while the SQL is written: a value no real query asks for,
    and the field that turns a value into a query parameter."""

    value: Any
    field: Field[Any, Any]

    def param(self, value: Any, alias: str) -> Any:
        return self.field.get_db_prep_value(value, connections[alias])


PLAN_ID = Marker(-7_340_021, IntegerField())
USER_ID = Marker(-7_340_023, IntegerField())
DAY = Marker(date(1901, 2, 3), DateField())


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: dict[str, list[int]]  # each marker's positions in the parameters
    converters: list[tuple[int, tuple[list[Any], Any]]]  # as the compiler applies them
    compiler: Any  # its select list and klass_info say how model rows are built


class Prepared(Generic[M]):
    """`build(**markers)` is the queryset of `model`; `rows(**values)` its rows,
    `objects(**values)` its model instances, for the real values of the markers."""

    def __init__(
        self, model: type[M], build: Callable[..., QuerySet[Any, Any]], **markers: Marker
    ) -> None:
        self._model, self._build, self._markers = model, build, markers
        self._compiled: dict[str, _Compiled] = {}

    def _compiled_for(self, alias: str) -> _Compiled:
        found = self._compiled.get(alias)
        if found is None:  # two threads may both write it: the same text either way
            found = self._compiled[alias] = self._compile(alias)
        return found

    def _compile(self, alias: str) -> _Compiled:
        queryset = self._build(**{name: marker.value for name, marker in self._markers.items()})
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        places = {
            name: [
                i for i, param in enumerate(params) if param == marker.param(marker.value, alias)
            ]
            for name, marker in self._markers.items()
        }
        missing = [name for name, found_at in places.items() if not found_at]
        if missing:
            raise ValueError(f"The query does not take {', '.join(missing)} as a parameter.")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        return _Compiled(sql, tuple(params), places, converters, compiler)

    def _run(self, values: dict[str, Any]) -> tuple[str, _Compiled, list[list[Any]]]:
        alias = router.db_for_read(self._model)
        compiled = self._compiled_for(alias)
        params = list(compiled.params)
        for name, value in values.items():
            param = self._markers[name].param(value, alias)
            for place in compiled.places[name]:
                params[place] = param
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for position, (convert, expression) in compiled.converters:
            for row in rows:
                value = row[position]
                for converter in convert:
                    value = converter(value, expression, connection)
                row[position] = value
        return alias, compiled, rows

    def rows(self, **values: Any) -> list[list[Any]]:
        """The rows of a `values_list` query, converted as the ORM converts them."""
        return self._run(values)[2]

    def objects(self, **values: Any) -> list[M]:
        """The model instances, with their `select_related` rows and annotations."""
        alias, compiled, rows = self._run(values)
        compiler = compiled.compiler
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(klass_info, select, alias)
        annotations = compiler.annotation_col_map.items()
        found = []
        for row in rows:
            instance = self._model.from_db(alias, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found
