"""Paginated list queries that stay fast at a million rows: no full count, no slow deep offset.

- The page: up to DEFERRED_FROM rows in, a plain OFFSET; deeper, the page's ids are found first (the list's index
  alone: its filters, order and id are index columns) and only those 50 rows are read.
- The total (X-Pagination `total`): exact when the page ends the list or when there are at most EXACT_UP_TO rows
  (a count that stops there); past that, the planner's estimate. A service may give its own exact `total=`: a
  select of a total it keeps, or a column of the list's own statement that holds the total on every row (a window
  count over rows the statement reads anyway); either is read with the page, in the same statement.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement, ColumnElement, Executable

from models import base, db, tenancy

EXACT_UP_TO = 10_000
DEFERRED_FROM = 1_000
# A total: a function counting it, a select of a kept total, or a column of the list's statement holding it.
Total = Callable[[], int] | Select | ColumnElement | None


def page(session: Session, stmt: Select, pagination_parameters: Any, total: Total = None,
         columns: Sequence[Any] | None = None) -> list[Any]:
    """Run `stmt` for the requested page and record the total for flask-smorest's X-Pagination header.

    With `columns`, the page's rows are those columns of the same rows (web.rowjson), not its entities."""
    rows, pagination_parameters.item_count = window(session, stmt, pagination_parameters.page,
                                                    pagination_parameters.page_size, total, columns)
    return rows


def window(session: Session, stmt: Select, number: int, size: int, total: Total = None,
           columns: Sequence[Any] | None = None) -> tuple[list[Any], int]:
    """Page `number` (from 1) of `stmt` and the list's total, by the rules above (the API's and the console's)."""
    offset = (number - 1) * size
    kept = total if isinstance(total, (Select, ColumnElement)) else None
    rows, known = _rows(session, stmt, offset, size, kept, columns)
    if 0 < len(rows) < size or (not rows and offset == 0):
        return rows, offset + len(rows)  # this page ends the list
    if known is not None:
        return rows, known
    if isinstance(kept, Select):
        return rows, int(session.scalar(kept) or 0)
    if kept is None and callable(total):
        return rows, total()
    return rows, _total(session, stmt)  # also a page past the end of a list whose rows hold their total


def _rows(session: Session, stmt: Select, offset: int, size: int, kept: Select | ColumnElement | None,
          columns: Sequence[Any] | None) -> tuple[list[Any], int | None]:
    entity = _entity(stmt) if offset >= DEFERRED_FROM else None
    if entity is None:
        page = stmt.limit(size).offset(offset)
    else:
        ids = stmt.with_only_columns(entity.id, maintain_column_froms=True).limit(size).offset(offset)
        # A deep page's plan depends on its offset: planned with it every time (models.db.with_values).
        page = db.with_values(stmt.where(entity.id.in_(ids.scalar_subquery())))
    if columns is not None:
        page = page.with_only_columns(*columns, maintain_column_froms=True)
    if kept is None:
        return (list(session.scalars(page)) if columns is None else list(session.execute(page))), None
    column = kept.scalar_subquery() if isinstance(kept, Select) else kept
    found = session.execute(page.add_columns(column.label("kept_total"))).all()
    known = int(found[0][-1] or 0) if found else None
    return ([row[0] for row in found] if columns is None else list(found)), known


def _total(session: Session, stmt: Select) -> int:
    counted = stmt.order_by(None).limit(EXACT_UP_TO + 1).subquery()
    exact = session.scalar(db.with_values(select(func.count()).select_from(counted))) or 0
    if exact <= EXACT_UP_TO:
        return exact
    return max(exact, estimate(session, stmt))


def estimate(session: Session, stmt: Select) -> int:
    """The planner's row estimate for `stmt` in the current organization (EXPLAIN: nothing is read)."""
    entity = _entity(stmt)
    if entity is not None and issubclass(entity, base.OrgScoped) and tenancy.current_org() is not None:
        stmt = stmt.where(entity.org_id == tenancy.current_org())  # what the tenant guard adds when it runs
    plan = session.connection().execute(_Explain(stmt.order_by(None))).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class _Explain(Executable, ClauseElement):
    """EXPLAIN (FORMAT JSON) of a select, its parameters bound as when it runs."""

    inherit_cache = False

    def __init__(self, stmt: Select) -> None:
        self.stmt = stmt


@compiles(_Explain)
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.stmt, **kw)


def _entity(stmt: Select) -> Any:
    entity = stmt.column_descriptions[0].get("entity") if stmt.column_descriptions else None
    return entity if entity is not None and hasattr(entity, "id") else None
