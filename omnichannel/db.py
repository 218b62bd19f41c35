"""Database conflicts that are nobody's fault: a deadlock or a serialization failure PostgreSQL resolved by
aborting one transaction. Every stock path locks rows in one (location, sku) order, so they should not happen;
should one still happen, the request is run again once, then answered 503 with the error shape, never 500.

Also: the rows of a hot read whose SQL the ORM compiles once (`compiled_rows`)."""

from functools import wraps

import orjson
from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext_lazy as _

from omnichannel.errors import DomainError, Retryable

# PostgreSQL SQLSTATEs: deadlock_detected, serialization_failure.
LOCK_CONFLICTS = {"40P01", "40001"}


class DatabaseBusy(DomainError):
    code = "temporarily_unavailable"
    status_code = 503
    default_message = _("The stock this request needed was busy with other requests: please try again.")


def is_lock_conflict(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    return isinstance(exc, OperationalError) and getattr(cause, "sqlstate", None) in LOCK_CONFLICTS


class DatabaseUnavailable(DomainError):
    """The database cannot answer now: restarting, unreachable, or a lock held elsewhere past `lock_timeout`, a
    statement past `statement_timeout`. A fault, said briefly: 503 with Retry-After, never a 500 or a traceback."""

    code = "service_unavailable"
    status_code = 503
    default_message = _("The service is briefly unavailable: please try again in a few seconds.")
    retry_after_seconds = 5


def is_database_unavailable(exc: BaseException) -> bool:
    """A connection or timeout failure of the database (not a deadlock, which is retried: `is_lock_conflict`)."""
    return isinstance(exc, (OperationalError, InterfaceError)) and not is_lock_conflict(exc)


def retry_once_on_lock_conflict(func):
    """Run `func` again once when its transaction was aborted by a lock conflict, or lost a race (a `Retryable`
    error, e.g. stock sold between reading and holding it); a second lock conflict is `DatabaseBusy` (503), a
    second lost race its settled answer (409 `insufficient_stock`). Only at the outermost level: inside a transaction,
    the caller's own work is lost too, so the conflict goes up to whoever opened it."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in (1, 2):
            try:
                return func(*args, **kwargs)
            except Retryable as lost_race:
                if connection.in_atomic_block:
                    raise
                if attempt == 2:
                    raise lost_race.settled() from None
            except OperationalError as exc:
                if not is_lock_conflict(exc) or connection.in_atomic_block:
                    raise
                if attempt == 2:
                    raise DatabaseBusy(details={"retried": True}) from exc

    return wrapper


_compiled_sql: dict[tuple, str] = {}


def compiled_rows(name: str, queryset_for, params: list) -> list[tuple]:
    """The rows of the values_list queryset `queryset_for(params)`, whose SQL parameters must be exactly `params`
    in order, with its SQL compiled by the ORM once per `name` and number of parameters: building and compiling a
    small queryset costs several times what PostgreSQL takes to answer it. Rows come as the database gives them,
    without the ORM's value converters: for integer and text columns only."""
    key = (connection.vendor, name, len(params))
    sql = _compiled_sql.get(key)
    if sql is None:
        sql, compiled_params = queryset_for(params).query.sql_with_params()
        if list(compiled_params) != list(params):
            raise ValueError(f"{name}: the queryset's SQL parameters are {compiled_params!r}, not {params!r}")
        _compiled_sql[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rows_source(columns: list[tuple[str, str]], rows: list[tuple]) -> tuple[str, list]:
    """A FROM item naming `rows` as a relation `v(column, …)`, and its parameters, for set-based statements over
    many rows. PostgreSQL: one JSON parameter read by `json_to_recordset` (binding thousands of parameters, or
    adapting one array per column, cost more in Python than the rows' work in PostgreSQL); elsewhere (the SQLite
    demo) a VALUES list. `columns`: [(name, PostgreSQL type)]."""
    names = [name for name, _type in columns]
    if connection.vendor == "postgresql":
        spec = ", ".join(f"{name} {pg_type}" for name, pg_type in columns)
        payload = orjson.dumps([dict(zip(names, row, strict=True)) for row in rows], default=str).decode()
        return f"json_to_recordset(%s::json) AS v({spec})", [payload]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    values = ", ".join([row] * len(rows))
    named = ", ".join(f"column{i} AS {name}" for i, name in enumerate(names, start=1))
    return f"(SELECT {named} FROM (VALUES {values})) AS v", [value for r in rows for value in r]
