"""Statements built and compiled once per shape, run with the values of each call.

A page of records costs the database under a millisecond; building its
SQLAlchemy statement, compiling it (even from SQLAlchemy's cache: the
cache key is worked out from the whole statement every time) and running it
through the engine's execution machinery cost twice that again. The
queries an API serves come in a few hundred shapes (which filters are set,
which order): each shape is built once with named parameters
(``bindparam``), compiled once per database, and then run as its SQL text
on the driver with that call's values.

A builder must make its statement from the shape alone: every value of a
query goes in through a named parameter, never into the statement itself,
or the first query of a shape would answer for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

SHAPES = 4096  # statements kept per process: each a few kilobytes of SQL; a server sees a few hundred shapes


@dataclass(frozen=True)
class Prepared:
    sql: str
    order: tuple[str, ...] | None  # the parameters' names in their places, for a driver of positional ones
    defaults: Mapping[str, Any]  # every parameter of the statement, with the literal values the builder wrote


@lru_cache(maxsize=SHAPES)
def prepared(dialect: Dialect, build: Callable[..., ClauseElement], *shape: Hashable) -> Prepared:
    """The statement ``build(*shape)`` makes, compiled for ``dialect``; built once per shape."""
    compiled = build(*shape).compile(dialect=dialect)
    positional = getattr(compiled, "positiontup", None) if dialect.positional else None  # (an SQLCompiler's)
    return Prepared(str(compiled), tuple(positional) if positional is not None else None, dict(compiled.params))


def run(conn: Connection, statement: Prepared, values: Mapping[str, Any]) -> CursorResult:
    """Run a prepared statement with these values of its named parameters (others keep their defaults)."""
    given = {name: values[name] if name in values else default for name, default in statement.defaults.items()}
    if statement.order is not None:
        return conn.exec_driver_sql(statement.sql, tuple(given[name] for name in statement.order))
    return conn.exec_driver_sql(statement.sql, given)


__all__ = ["Prepared", "prepared", "run"]
