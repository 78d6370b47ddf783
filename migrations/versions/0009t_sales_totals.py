"""Owner insights at 100,000 orders a year: sales, listing and design totals per month, kept by triggers as deltas.

Revision ID: 0009t_sales_totals
Revises: 0009p_scale
Create Date: 2026-11-30 18:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009t_sales_totals'
down_revision = '0009p_scale'
branch_labels = None
depends_on = None

# A sold order (paid, not canceled, dated) counts in the UTC month of coalesce(paid_at, etsy_created_at), as
# services.insights reads it. The totals are sums over (order, item) pairs, so each trigger adds what its statement
# changed, reading the other table as it is now: an order's change with its items of now, an item's change with its
# order of now. Orders: AFTER INSERT/UPDATE per statement (transition tables); a deleted order's share is taken
# off BEFORE the row goes, while its items (cascaded after) are still there, and those items then find no order.
# Items lock their orders FOR SHARE first, so an order changing meanwhile in another transaction is read as committed
# (it waits for, or is waited for by, the order's writer): no drift under concurrent writers.
# No delta rows for an organization being deleted (its totals go with it).


def _month(row: str) -> str:
    return f"date_trunc('month', coalesce({row}.paid_at, {row}.etsy_created_at) AT TIME ZONE 'UTC')::date"


def _sold(row: str) -> str:
    return (f"{row}.is_paid IS true AND {row}.is_canceled IS false"
            f" AND coalesce({row}.paid_at, {row}.etsy_created_at) IS NOT NULL")


def _order_side(row: str, sign: int, source: str) -> str:
    return (f"SELECT {sign} AS sign, {row}.id, {row}.org_id, {_month(row)} AS month, {row}.currency,"
            f" {row}.grandtotal {source} {_sold(row)}")


_ORDER_KEYS = "org_id, is_paid, is_canceled, paid_at, etsy_created_at, grandtotal, currency"
_ORDER_CHANGED = (f"({', '.join('o.' + k for k in _ORDER_KEYS.split(', '))}) IS DISTINCT FROM"
                  f" ({', '.join('n.' + k for k in _ORDER_KEYS.split(', '))})")
_ORDER_SIDES = {
    "INSERT": _order_side("n", 1, "FROM new_rows n WHERE"),
    "UPDATE": (_order_side("o", -1, f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_ORDER_CHANGED} AND")
               + " UNION ALL "
               + _order_side("n", 1, f"FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_ORDER_CHANGED} AND")),
    "DELETE": _order_side("OLD", -1, "WHERE"),
}

# Per listing and per design: pieces and orders (an order once per key), in listing_month_totals and
# design_month_totals.
_KEYS = (("listing_month_totals", "listing_id"), ("design_month_totals", "design_file_id"))


def _order_key_deltas(table: str, key: str) -> str:
    return f"""
    {key}_added AS (
        INSERT INTO {table} (org_id, month, {key}, pieces, orders)
        SELECT c.org_id, c.month, i.{key}, sum(c.sign * i.pieces), sum(c.sign)
        FROM changed c JOIN (SELECT order_id, {key}, sum(pieces) AS pieces FROM items GROUP BY 1, 2) i
             ON i.order_id = c.id
        WHERE i.{key} IS NOT NULL AND EXISTS (SELECT 1 FROM organizations g WHERE g.id = c.org_id)
        GROUP BY 1, 2, 3 HAVING sum(c.sign * i.pieces) <> 0 OR sum(c.sign) <> 0)"""


# `changed`: (sign, id, org_id, month, currency, grandtotal) of sold orders, -1 as they were, +1 as they are.
_ORDER_DELTAS = """
    WITH changed AS ({side}),
    items AS (
        SELECT i.order_id, i.listing_id, i.design_file_id, sum(i.quantity) AS pieces
        FROM order_items i JOIN (SELECT DISTINCT id, org_id FROM changed) c ON c.id = i.order_id AND c.org_id = i.org_id
        GROUP BY 1, 2, 3),""" + ",".join(_order_key_deltas(table, key) for table, key in _KEYS) + """
    INSERT INTO sales_month_totals (org_id, month, currency, orders, items, revenue)
    SELECT c.org_id, c.month, c.currency, sum(c.sign), sum(c.sign * coalesce(n.pieces, 0)),
           sum(c.sign * coalesce(c.grandtotal, 0))
    FROM changed c LEFT JOIN (SELECT order_id, sum(pieces) AS pieces FROM items GROUP BY 1) n ON n.order_id = c.id
    WHERE EXISTS (SELECT 1 FROM organizations g WHERE g.id = c.org_id)
    GROUP BY 1, 2, 3
    HAVING sum(c.sign) <> 0 OR sum(c.sign * coalesce(n.pieces, 0)) <> 0 OR sum(c.sign * coalesce(c.grandtotal, 0)) <> 0
"""

_ORDERS_FUNCTION = f"""
CREATE FUNCTION sales_totals_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_ORDER_DELTAS.format(side=_ORDER_SIDES['INSERT'])};
    ELSIF TG_OP = 'UPDATE' THEN
        {_ORDER_DELTAS.format(side=_ORDER_SIDES['UPDATE'])};
    ELSE  -- BEFORE DELETE, per row
        {_ORDER_DELTAS.format(side=_ORDER_SIDES['DELETE'])};
        RETURN OLD;
    END IF;
    RETURN NULL;
END $$
"""

_ITEM_KEYS = "org_id, order_id, listing_id, design_file_id, quantity"
_ITEM_CHANGED = (f"({', '.join('o.' + k for k in _ITEM_KEYS.split(', '))}) IS DISTINCT FROM"
                 f" ({', '.join('n.' + k for k in _ITEM_KEYS.split(', '))})")
_ITEM_SIDES = {
    "INSERT": f"SELECT 1 AS sign, {_ITEM_KEYS} FROM new_rows",
    "DELETE": f"SELECT -1 AS sign, {_ITEM_KEYS} FROM old_rows",
    "UPDATE": (f"SELECT -1 AS sign, {', '.join('o.' + k for k in _ITEM_KEYS.split(', '))}"
               f" FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_ITEM_CHANGED}"
               f" UNION ALL SELECT 1, {', '.join('n.' + k for k in _ITEM_KEYS.split(', '))}"
               f" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_ITEM_CHANGED}"),
}


# Per (order, key): the pieces added and how many items were added (net, the statement's rows); an order counts
# once per key, so its `orders` delta is whether the pair has items now less whether it had before (now less net).
def _item_key_deltas(table: str, key: str) -> str:
    counted = "(coalesce(w.n, 0) > 0)::int - (coalesce(w.n, 0) - p.net > 0)::int"
    return f"""
    {key}_pairs AS (
        SELECT org_id, order_id, {key}, sum(sign * quantity) AS pieces, sum(sign) AS net
        FROM changed WHERE {key} IS NOT NULL GROUP BY 1, 2, 3),
    {key}_now AS (
        SELECT i.org_id, i.order_id, i.{key}, count(*) AS n FROM order_items i
        WHERE i.order_id IN (SELECT id FROM sold) AND i.{key} IS NOT NULL GROUP BY 1, 2, 3),
    {key}_added AS (
        INSERT INTO {table} (org_id, month, {key}, pieces, orders)
        SELECT s.org_id, s.month, p.{key}, sum(p.pieces), sum({counted})
        FROM {key}_pairs p JOIN sold s ON s.id = p.order_id AND s.org_id = p.org_id
        LEFT JOIN {key}_now w ON w.org_id = p.org_id AND w.order_id = p.order_id AND w.{key} = p.{key}
        GROUP BY 1, 2, 3 HAVING sum(p.pieces) <> 0 OR sum({counted}) <> 0)"""


_ITEM_DELTAS = """
    PERFORM 1 FROM orders WHERE id IN (SELECT order_id FROM ({side}) AS changed) ORDER BY id FOR SHARE;
    WITH changed AS ({side}),
    sold AS (
        SELECT o.id, o.org_id, {month} AS month, o.currency FROM orders o
        WHERE o.id IN (SELECT order_id FROM changed) AND {sold}
          AND EXISTS (SELECT 1 FROM organizations g WHERE g.id = o.org_id)),""" + ",".join(
    _item_key_deltas(table, key) for table, key in _KEYS) + """
    INSERT INTO sales_month_totals (org_id, month, currency, orders, items, revenue)
    SELECT s.org_id, s.month, s.currency, 0, sum(c.sign * c.quantity), 0
    FROM changed c JOIN sold s ON s.id = c.order_id AND s.org_id = c.org_id
    GROUP BY 1, 2, 3 HAVING sum(c.sign * c.quantity) <> 0
"""

_ITEMS_FUNCTION = f"""
CREATE FUNCTION sales_totals_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_ITEM_DELTAS.format(side=_ITEM_SIDES['INSERT'], month=_month('o'), sold=_sold('o'))};
    ELSIF TG_OP = 'UPDATE' THEN
        {_ITEM_DELTAS.format(side=_ITEM_SIDES['UPDATE'], month=_month('o'), sold=_sold('o'))};
    ELSE
        {_ITEM_DELTAS.format(side=_ITEM_SIDES['DELETE'], month=_month('o'), sold=_sold('o'))};
    END IF;
    RETURN NULL;
END $$
"""

_TRIGGERS = {
    "sales_totals_orders_insert": "AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
                                  " EXECUTE FUNCTION sales_totals_orders()",
    "sales_totals_orders_update": "AFTER UPDATE ON orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
                                  " FOR EACH STATEMENT EXECUTE FUNCTION sales_totals_orders()",
    "sales_totals_orders_delete": "BEFORE DELETE ON orders FOR EACH ROW EXECUTE FUNCTION sales_totals_orders()",
    "sales_totals_items_insert": "AFTER INSERT ON order_items REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
                                 " EXECUTE FUNCTION sales_totals_items()",
    "sales_totals_items_update": "AFTER UPDATE ON order_items REFERENCING OLD TABLE AS old_rows NEW TABLE AS"
                                 " new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_totals_items()",
    "sales_totals_items_delete": "AFTER DELETE ON order_items REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
                                 " EXECUTE FUNCTION sales_totals_items()",
}
_TRIGGER_TABLES = {name: "orders" if "_orders_" in name else "order_items" for name in _TRIGGERS}

_BACKFILL = (
    f"""INSERT INTO sales_month_totals (org_id, month, currency, orders, items, revenue)
        SELECT o.org_id, {_month('o')}, o.currency, count(*), coalesce(sum(i.pieces), 0),
               coalesce(sum(o.grandtotal), 0)
        FROM orders o LEFT JOIN (SELECT order_id, org_id, sum(quantity) AS pieces FROM order_items GROUP BY 1, 2) i
             ON i.order_id = o.id AND i.org_id = o.org_id
        WHERE {_sold('o')} GROUP BY 1, 2, 3""",
    *(f"""INSERT INTO {table} (org_id, month, {key}, pieces, orders)
          SELECT o.org_id, {_month('o')}, i.{key}, sum(i.quantity), count(DISTINCT o.id)
          FROM orders o JOIN order_items i ON i.order_id = o.id AND i.org_id = o.org_id
          WHERE {_sold('o')} AND i.{key} IS NOT NULL GROUP BY 1, 2, 3""" for table, key in _KEYS),
)


def _totals_table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        *columns,
        sa.Column('org_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                                name=op.f(f'fk_{name}_org_id_organizations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    )
    op.create_index(op.f(f'ix_{name}_org_id'), name, ['org_id'])


def upgrade() -> None:
    # Sold orders of a period by their time (the period's partial months are read from the rows); a listing's
    # items by title (a top listing's title, the greatest in the period).
    op.create_index('ix_orders_org_sold_at', 'orders', ['org_id', sa.text('coalesce(paid_at, etsy_created_at)')],
                    postgresql_where=sa.text('is_paid IS true AND is_canceled IS false'))
    op.create_index('ix_order_items_org_listing_title', 'order_items', ['org_id', 'listing_id', 'title'])
    _totals_table('sales_month_totals',
                  sa.Column('currency', sa.String(length=3), nullable=True),
                  sa.Column('orders', sa.BigInteger(), nullable=False),
                  sa.Column('items', sa.BigInteger(), nullable=False),
                  sa.Column('revenue', sa.Numeric(16, 2), nullable=False))
    for table, key in _KEYS:
        _totals_table(table,
                      sa.Column(key, sa.BigInteger(), nullable=False),
                      sa.Column('pieces', sa.BigInteger(), nullable=False),
                      sa.Column('orders', sa.BigInteger(), nullable=False))
    op.execute(_ORDERS_FUNCTION)
    op.execute(_ITEMS_FUNCTION)
    # Triggers first: they lock both tables against writers until this commits, so the backfill misses nothing.
    for name, definition in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {definition}")
    for sql in _BACKFILL:
        op.execute(sql)


def downgrade() -> None:
    for name, table in _TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION sales_totals_items()")
    op.execute("DROP FUNCTION sales_totals_orders()")
    for table, _ in _KEYS:
        op.drop_table(table)
    op.drop_table('sales_month_totals')
    op.drop_index('ix_order_items_org_listing_title', table_name='order_items')
    op.drop_index('ix_orders_org_sold_at', table_name='orders')
