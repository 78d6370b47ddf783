"""Sales, listing and design totals per month kept by triggers as rows of deltas (models.order.SalesMonthTotal,
ListingMonthTotal, DesignMonthTotal; migration 0009t_sales_totals), and their folding. services.insights reads
them."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from models import tenancy

# Every key's delta rows become one row (none when they cancel out), as services.event_counts folds its rows.
_FOLDS = (
    text("""
        WITH gone AS (DELETE FROM sales_month_totals RETURNING org_id, month, currency, orders, items, revenue)
        INSERT INTO sales_month_totals (org_id, month, currency, orders, items, revenue)
        SELECT org_id, month, currency, sum(orders), sum(items), sum(revenue) FROM gone GROUP BY 1, 2, 3
        HAVING sum(orders) <> 0 OR sum(items) <> 0 OR sum(revenue) <> 0
    """),
    *(text(f"""
        WITH gone AS (DELETE FROM {table} RETURNING org_id, month, {key}, pieces, orders)
        INSERT INTO {table} (org_id, month, {key}, pieces, orders)
        SELECT org_id, month, {key}, sum(pieces), sum(orders) FROM gone GROUP BY 1, 2, 3
        HAVING sum(pieces) <> 0 OR sum(orders) <> 0
    """) for table, key in (("listing_month_totals", "listing_id"), ("design_month_totals", "design_file_id"))),
)


def fold(session: Session) -> None:
    """Fold every organization's delta rows (the scheduler's job, every few minutes; the caller commits)."""
    with tenancy.system_access("fold sales total deltas of every organization"):
        for statement in _FOLDS:
            session.execute(statement)
