"""Lists and stats at a million rows: indexes in each list's order, trigram search, maintained event counts.

Revision ID: 0009p_scale
Revises: 0009s_security
Create Date: 2026-11-30 16:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009p_scale'
down_revision = '0009s_security'
branch_labels = None
depends_on = None

# One row of deltas per statement that inserts, deletes or updates events: writers append, nobody waits on a
# counter row; services.event_counts folds them. AFTER ... FOR EACH STATEMENT with transition tables.
_COUNT_FUNCTION = """
CREATE FUNCTION event_counts_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_counts (org_id, event_type, level, n)
        SELECT org_id, event_type, level, count(*) FROM new_rows GROUP BY 1, 2, 3;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO event_counts (org_id, event_type, level, n)
        SELECT org_id, event_type, level, -count(*) FROM old_rows
        WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = old_rows.org_id)  -- not for a deleted organization
        GROUP BY 1, 2, 3;
    ELSE  -- an UPDATE adds rows only where a type or level changed (a user deleted: user_id set to null, none)
        INSERT INTO event_counts (org_id, event_type, level, n)
        SELECT org_id, event_type, level, sum(n) FROM (
            SELECT org_id, event_type, level, -1 AS n FROM old_rows
            UNION ALL SELECT org_id, event_type, level, 1 FROM new_rows) AS changed
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END $$
"""
_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


# Substring searches (ILIKE '%q%') by trigram, where the server ships pg_trgm (Railway's and Debian's PostgreSQL do;
# the embedded development one may not): without them the searches still work, by reading the org's rows.
TRIGRAM_INDEXES = (('ix_orders_buyer_name_trgm', 'orders', 'buyer_name'),
                   ('ix_files_filename_trgm', 'files', 'filename'),
                   ('ix_files_original_filename_trgm', 'files', 'original_filename'))


def upgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM_INDEXES:
            op.create_index(name, table, [column], postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})
    op.drop_index('ix_events_org_id_created_at', table_name='events')
    op.drop_index('ix_events_org_id_entity', table_name='events')
    op.drop_index('ix_events_org_id_event_type', table_name='events')
    op.create_index('ix_events_org_created', 'events', ['org_id', 'created_at', 'id'])
    op.create_index('ix_events_org_entity_created', 'events',
                    ['org_id', 'entity_type', 'entity_id', 'created_at', 'id'])
    op.create_index('ix_events_org_type_created', 'events', ['org_id', 'event_type', 'created_at', 'id'])
    op.create_index('ix_events_org_level_created', 'events', ['org_id', 'level', 'created_at', 'id'])
    op.create_index('ix_events_org_user_created', 'events', ['org_id', 'user_id', 'created_at', 'id'])

    op.drop_index('ix_orders_org_id_etsy_created_at', table_name='orders')
    op.create_index('ix_orders_org_created', 'orders',
                    ['org_id', sa.text('etsy_created_at DESC NULLS LAST'), sa.text('id DESC')])
    op.create_index('ix_orders_org_shipped_created', 'orders',
                    ['org_id', 'is_shipped', sa.text('etsy_created_at DESC NULLS LAST'), sa.text('id DESC')])

    op.drop_index('ix_order_items_org_id_match_status', table_name='order_items')
    op.create_index('ix_order_items_org_status_order', 'order_items', ['org_id', 'match_status', 'order_id', 'id'])

    op.drop_index('ix_files_org_id_file_type_created_at', table_name='files')
    op.create_index('ix_files_org_created', 'files', ['org_id', 'created_at', 'id', 'status'])
    op.create_index('ix_files_org_type_created', 'files', ['org_id', 'file_type', 'created_at', 'id', 'status'])

    op.create_table(
        'event_counts',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('event_type', sa.String(length=100), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.Column('org_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                                name=op.f('fk_event_counts_org_id_organizations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_counts')),
    )
    op.create_index(op.f('ix_event_counts_org_id'), 'event_counts', ['org_id'])
    op.execute("""INSERT INTO event_counts (org_id, event_type, level, n)
                  SELECT org_id, event_type, level, count(*) FROM events GROUP BY 1, 2, 3""")
    op.execute(_COUNT_FUNCTION)
    for operation, referencing in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER event_counts_{operation.lower()} AFTER {operation} ON events {referencing} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION event_counts_delta()")


def downgrade() -> None:
    for operation in _TRIGGERS:
        op.execute(f"DROP TRIGGER event_counts_{operation.lower()} ON events")
    op.execute("DROP FUNCTION event_counts_delta()")
    op.drop_table('event_counts')
    for name, _, _ in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name in ('ix_files_org_type_created', 'ix_files_org_created'):
        op.drop_index(name, table_name='files')
    op.create_index('ix_files_org_id_file_type_created_at', 'files', ['org_id', 'file_type', 'created_at'])
    for name in ('ix_orders_org_shipped_created', 'ix_orders_org_created'):
        op.drop_index(name, table_name='orders')
    op.create_index('ix_orders_org_id_etsy_created_at', 'orders', ['org_id', 'etsy_created_at'])
    op.drop_index('ix_order_items_org_status_order', table_name='order_items')
    op.create_index('ix_order_items_org_id_match_status', 'order_items', ['org_id', 'match_status'])
    for name in ('ix_events_org_user_created', 'ix_events_org_level_created', 'ix_events_org_type_created',
                 'ix_events_org_entity_created', 'ix_events_org_created'):
        op.drop_index(name, table_name='events')
    op.create_index('ix_events_org_id_event_type', 'events', ['org_id', 'event_type'])
    op.create_index('ix_events_org_id_entity', 'events', ['org_id', 'entity_type', 'entity_id'])
    op.create_index('ix_events_org_id_created_at', 'events', ['org_id', 'created_at'])
