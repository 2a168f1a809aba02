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
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Marker:
    """A stand-in for an argument while the SQL is written: two values no real query asks for
    (the SQL is written with each, to find where the argument goes), and the field that turns
    a value into a query parameter."""

    value: Any
    other: Any
    field: Field[Any, Any]

    def param(self, value: Any, alias: str) -> Any:
        return self.field.get_db_prep_value(value, connections[alias])


PLAN_ID = Marker(-7_340_021, -7_340_022, IntegerField())
USER_ID = Marker(-7_340_023, -7_340_024, IntegerField())
DAY = Marker(date(1901, 2, 3), date(1902, 3, 4), DateField())


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: dict[str, list[int]]  # each marker's positions in the parameters
    converters: list[tuple[int, tuple[list[Any], Any]]]  # as the compiler applies them
    iterable: type  # what `list(queryset)` gives: model instances or value tuples
    columns: int  # of a values_list row (the SQL may select more, to order by)
    # How model rows are built: the compiler's select list, its klass_info and annotations.
    select: list[Any]
    klass_info: dict[str, Any] | None
    annotations: dict[str, int]


class Prepared(Generic[M]):
    """`build(**markers)` is the queryset of `model`; `rows(**values)` its rows (a
    `values_list` queryset), `objects(**values)` its model instances, for the real values of
    the markers."""

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

    def _written(self, alias: str, which: str) -> tuple[QuerySet[Any, Any], Any, str, list[Any]]:
        queryset = self._build(
            **{name: getattr(marker, which) for name, marker in self._markers.items()}
        )
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        return queryset, compiler, sql, list(params)

    def _compile(self, alias: str) -> _Compiled:
        """The SQL, written twice with each marker's two values: it must be the same text,
        and the parameters that differ exactly the markers' own, one marker a place."""
        queryset, compiler, sql, params = self._written(alias, "value")
        _, _, other_sql, other_params = self._written(alias, "other")
        # Not in the stubs: what `prefetch_related` and `.using()` set on the queryset.
        prefetches, using = queryset._prefetch_related_lookups, queryset._db  # type: ignore[attr-defined]
        if prefetches or using is not None:
            raise ValueError("Prefetching and .using() are not prepared; ask the ORM.")
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("The query's SQL depends on its arguments' values.")
        pairs = list(zip(params, other_params, strict=True))
        places = {
            name: [
                i
                for i, (first, second) in enumerate(pairs)
                if first == marker.param(marker.value, alias)
                and second == marker.param(marker.other, alias)
            ]
            for name, marker in self._markers.items()
        }
        missing = [name for name, found_at in places.items() if not found_at]
        if missing:
            raise ValueError(f"The query does not take {', '.join(missing)} as a parameter.")
        placed = [i for found_at in places.values() for i in found_at]
        differing = [i for i, (first, second) in enumerate(pairs) if first != second]
        if sorted(placed) != differing:
            raise ValueError(
                "A parameter follows an argument without being it (a value worked out from "
                "it), or two arguments share a place."
            )
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        return _Compiled(
            sql,
            tuple(params),
            places,
            converters,
            queryset._iterable_class,
            compiler.col_count,
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
        )

    def _run(
        self, values: dict[str, Any], iterable: type
    ) -> tuple[str, _Compiled, list[list[Any]]]:
        alias = router.db_for_read(self._model)
        compiled = self._compiled_for(alias)
        if compiled.iterable is not iterable:
            raise TypeError(f"This query gives {compiled.iterable.__name__} rows.")
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
        """The rows of a `values_list` query (not flat, not named), converted as the ORM
        converts them."""
        _, compiled, rows = self._run(values, ValuesListIterable)
        return [row[: compiled.columns] for row in rows]

    def objects(self, **values: Any) -> list[M]:
        """The model instances, with their `select_related` rows and annotations."""
        alias, compiled, rows = self._run(values, ModelIterable)
        klass_info, select = compiled.klass_info, compiled.select
        assert klass_info is not None  # a model query has one
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(klass_info, select, alias)
        annotations = compiled.annotations.items()
        found = []
        for row in rows:
            instance = self._model.from_db(alias, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found
