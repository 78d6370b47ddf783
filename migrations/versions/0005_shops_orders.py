"""Etsy shops (encrypted tokens), OAuth states, orders, order items, listings and design mappings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 18:13:28.413921
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shops',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('etsy_shop_id', sa.BigInteger(), nullable=True),
    sa.Column('etsy_user_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('access_token_enc', sa.Text(), nullable=True),
    sa.Column('refresh_token_enc', sa.Text(), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scopes', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('sync_enabled', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('sync_interval_minutes', sa.Integer(), server_default='15', nullable=False),
    sa.Column('hold_hours', sa.Integer(), server_default='2', nullable=False),
    sa.Column('default_template_id', sa.BigInteger(), nullable=True),
    sa.Column('default_printer_id', sa.BigInteger(), nullable=True),
    sa.Column('last_modified_cursor', sa.BigInteger(), nullable=True),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_full_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sync_error', sa.String(length=1000), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'connected', 'needs_reauth', 'disconnected')", name=op.f('ck_shops_status')),
    sa.CheckConstraint('hold_hours BETWEEN 0 AND 720', name=op.f('ck_shops_hold')),
    sa.CheckConstraint('sync_interval_minutes BETWEEN 5 AND 1440', name=op.f('ck_shops_interval')),
    sa.ForeignKeyConstraint(['default_printer_id'], ['printers.id'], name=op.f('fk_shops_default_printer_id_printers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['default_template_id'], ['templates.id'], name=op.f('fk_shops_default_template_id_templates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_shops_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shops')),
    sa.UniqueConstraint('org_id', 'etsy_shop_id', name=op.f('uq_shops_org_id_etsy_shop_id'))
    )
    op.create_index(op.f('ix_shops_org_id'), 'shops', ['org_id'], unique=False)
    op.create_table('listings',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('etsy_listing_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('skus', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('state', sa.String(length=32), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_listings_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_listings_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings')),
    sa.UniqueConstraint('shop_id', 'etsy_listing_id', name=op.f('uq_listings_shop_id_etsy_listing_id'))
    )
    op.create_index(op.f('ix_listings_org_id'), 'listings', ['org_id'], unique=False)
    op.create_index(op.f('ix_listings_shop_id'), 'listings', ['shop_id'], unique=False)
    op.create_table('oauth_states',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('code_verifier_enc', sa.Text(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_oauth_states_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_oauth_states_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_oauth_states_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_states')),
    sa.UniqueConstraint('state_hash', name=op.f('uq_oauth_states_state_hash'))
    )
    op.create_index(op.f('ix_oauth_states_org_id'), 'oauth_states', ['org_id'], unique=False)
    op.create_table('orders',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('etsy_receipt_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_name', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('is_paid', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_shipped', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_canceled', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('grandtotal', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('etsy_created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('etsy_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_orders_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_orders_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('shop_id', 'etsy_receipt_id', name=op.f('uq_orders_shop_id_etsy_receipt_id'))
    )
    op.create_index(op.f('ix_orders_org_id'), 'orders', ['org_id'], unique=False)
    op.create_index('ix_orders_org_id_etsy_created_at', 'orders', ['org_id', 'etsy_created_at'], unique=False)
    op.create_index(op.f('ix_orders_shop_id'), 'orders', ['shop_id'], unique=False)
    op.create_table('design_mappings',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('listing_id', sa.BigInteger(), nullable=False),
    sa.Column('sku', sa.String(length=200), server_default='', nullable=False),
    sa.Column('variations', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('variation_key', sa.String(length=500), server_default='', nullable=False),
    sa.Column('design_file_id', sa.BigInteger(), nullable=False),
    sa.Column('template_id', sa.BigInteger(), nullable=True),
    sa.Column('size_id', sa.BigInteger(), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['design_file_id'], ['files.id'], name=op.f('fk_design_mappings_design_file_id_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_design_mappings_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['size_id'], ['template_sizes.id'], name=op.f('fk_design_mappings_size_id_template_sizes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_design_mappings_template_id_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_design_mappings')),
    sa.UniqueConstraint('org_id', 'listing_id', 'sku', 'variation_key', name=op.f('uq_design_mappings_org_id_listing_id_sku_variation_key'))
    )
    op.create_index(op.f('ix_design_mappings_org_id'), 'design_mappings', ['org_id'], unique=False)
    op.create_table('order_items',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('etsy_transaction_id', sa.BigInteger(), nullable=False),
    sa.Column('listing_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('sku', sa.String(length=200), nullable=True),
    sa.Column('variations', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('personalization', sa.Text(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('match_status', sa.String(length=16), nullable=False),
    sa.Column('matched_by', sa.String(length=16), nullable=True),
    sa.Column('mapping_id', sa.BigInteger(), nullable=True),
    sa.Column('design_file_id', sa.BigInteger(), nullable=True),
    sa.Column('template_id', sa.BigInteger(), nullable=True),
    sa.Column('size_id', sa.BigInteger(), nullable=True),
    sa.Column('print_job_id', sa.BigInteger(), nullable=True),
    sa.Column('reprints', sa.Integer(), server_default='0', nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("match_status IN ('unmatched', 'matched', 'ignored')", name=op.f('ck_order_items_match_status')),
    sa.ForeignKeyConstraint(['design_file_id'], ['files.id'], name=op.f('fk_order_items_design_file_id_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mapping_id'], ['design_mappings.id'], name=op.f('fk_order_items_mapping_id_design_mappings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_items_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_order_items_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['print_job_id'], ['print_jobs.id'], name=op.f('fk_order_items_print_job_id_print_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['size_id'], ['template_sizes.id'], name=op.f('fk_order_items_size_id_template_sizes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_order_items_template_id_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_items')),
    sa.UniqueConstraint('org_id', 'etsy_transaction_id', name=op.f('uq_order_items_org_id_etsy_transaction_id'))
    )
    op.create_index(op.f('ix_order_items_listing_id'), 'order_items', ['listing_id'], unique=False)
    op.create_index(op.f('ix_order_items_order_id'), 'order_items', ['order_id'], unique=False)
    op.create_index(op.f('ix_order_items_org_id'), 'order_items', ['org_id'], unique=False)
    op.create_index('ix_order_items_org_id_match_status', 'order_items', ['org_id', 'match_status'], unique=False)
    op.create_index(op.f('ix_order_items_print_job_id'), 'order_items', ['print_job_id'], unique=False)
    op.create_foreign_key(op.f('fk_files_shop_id_shops'), 'files', 'shops', ['shop_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    op.drop_constraint(op.f('fk_files_shop_id_shops'), 'files', type_='foreignkey')
    op.drop_index(op.f('ix_order_items_print_job_id'), table_name='order_items')
    op.drop_index('ix_order_items_org_id_match_status', table_name='order_items')
    op.drop_index(op.f('ix_order_items_org_id'), table_name='order_items')
    op.drop_index(op.f('ix_order_items_order_id'), table_name='order_items')
    op.drop_index(op.f('ix_order_items_listing_id'), table_name='order_items')
    op.drop_table('order_items')
    op.drop_index(op.f('ix_design_mappings_org_id'), table_name='design_mappings')
    op.drop_table('design_mappings')
    op.drop_index(op.f('ix_orders_shop_id'), table_name='orders')
    op.drop_index('ix_orders_org_id_etsy_created_at', table_name='orders')
    op.drop_index(op.f('ix_orders_org_id'), table_name='orders')
    op.drop_table('orders')
    op.drop_index(op.f('ix_oauth_states_org_id'), table_name='oauth_states')
    op.drop_table('oauth_states')
    op.drop_index(op.f('ix_listings_shop_id'), table_name='listings')
    op.drop_index(op.f('ix_listings_org_id'), table_name='listings')
    op.drop_table('listings')
    op.drop_index(op.f('ix_shops_org_id'), table_name='shops')
    op.drop_table('shops')
