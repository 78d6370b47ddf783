"""Listing images uploaded to Etsy (so a retried publish never uploads one twice).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 18:21:02.670003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('listing_images',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('etsy_listing_id', sa.BigInteger(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_id', sa.BigInteger(), nullable=True),
    sa.Column('print_job_id', sa.BigInteger(), nullable=True),
    sa.Column('etsy_image_id', sa.BigInteger(), nullable=False),
    sa.Column('alt_text', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], name=op.f('fk_listing_images_file_id_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_listing_images_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['print_job_id'], ['print_jobs.id'], name=op.f('fk_listing_images_print_job_id_print_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_listing_images_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_images')),
    sa.UniqueConstraint('shop_id', 'etsy_listing_id', 'rank', 'sha256', name=op.f('uq_listing_images_shop_id_etsy_listing_id_rank_sha256'))
    )
    op.create_index(op.f('ix_listing_images_etsy_listing_id'), 'listing_images', ['etsy_listing_id'], unique=False)
    op.create_index(op.f('ix_listing_images_org_id'), 'listing_images', ['org_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_listing_images_org_id'), table_name='listing_images')
    op.drop_index(op.f('ix_listing_images_etsy_listing_id'), table_name='listing_images')
    op.drop_table('listing_images')
