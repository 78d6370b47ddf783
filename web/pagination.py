"""Paginated list queries: one count and one page query, whatever the page size."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def page(session: Session, stmt: Select, pagination_parameters: Any) -> list[Any]:
    """Run `stmt` for the requested page and record the total for flask-smorest's X-Pagination header."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pagination_parameters.item_count = total or 0
    offset = (pagination_parameters.page - 1) * pagination_parameters.page_size
    return list(session.scalars(stmt.limit(pagination_parameters.page_size).offset(offset)))
