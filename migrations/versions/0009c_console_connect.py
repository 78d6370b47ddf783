"""Etsy connections are confirmed by the member who started them, and one Etsy shop belongs to one organization.

The OAuth callback keeps the code (encrypted) on its attempt with the hash of a confirmation token only the
returning browser holds; the starting member's signed-in confirmation stores the shop. Before the unique index,
a shop connected to more than one organization stays with the earliest connection whose tokens work (`connected`
before `needs_reauth`); the others are disconnected (their tokens dropped), as the review asked, each with a
`shop.disconnected` warning in its organization's audit log saying why.

Revision ID: 0009c_console_connect
Revises: 0009r_rip
Create Date: 2026-11-30 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009c_console_connect'
down_revision = '0009r_rip'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('oauth_states', sa.Column('code_enc', sa.Text(), nullable=True))
    op.add_column('oauth_states', sa.Column('confirm_hash', sa.String(length=64), nullable=True))
    op.add_column('oauth_states', sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(op.f('uq_oauth_states_confirm_hash'), 'oauth_states', ['confirm_hash'])
    op.execute("""
        WITH ranked AS (
            SELECT id, org_id, etsy_shop_id, row_number() OVER (
                PARTITION BY etsy_shop_id ORDER BY status <> 'connected', created_at, id) AS n
            FROM shops WHERE etsy_shop_id IS NOT NULL AND status <> 'disconnected'),
        dropped AS (
            UPDATE shops SET status = 'disconnected', sync_enabled = false, access_token_enc = NULL,
                             refresh_token_enc = NULL, token_expires_at = NULL,
                             sync_error = 'Another organization holds this Etsy shop'
            FROM ranked WHERE shops.id = ranked.id AND ranked.n > 1
            RETURNING shops.id, shops.org_id, shops.etsy_shop_id)
        INSERT INTO events (org_id, event_type, entity_type, entity_id, level, source, payload)
        SELECT org_id, 'shop.disconnected', 'shops', id::text, 'warning', 'system',
               jsonb_build_object('etsy_shop_id', etsy_shop_id,
                                  'reason', 'another organization holds this Etsy shop (upgrade)')
        FROM dropped
    """)
    op.create_index('uq_shops_etsy_shop_held', 'shops', ['etsy_shop_id'], unique=True,
                    postgresql_where=sa.text("etsy_shop_id IS NOT NULL AND status <> 'disconnected'"))


def downgrade() -> None:
    op.drop_index('uq_shops_etsy_shop_held', table_name='shops')
    op.drop_constraint(op.f('uq_oauth_states_confirm_hash'), 'oauth_states', type_='unique')
    op.drop_column('oauth_states', 'returned_at')
    op.drop_column('oauth_states', 'confirm_hash')
    op.drop_column('oauth_states', 'code_enc')
