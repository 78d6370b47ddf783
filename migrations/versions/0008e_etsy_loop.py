"""Closing the Etsy loop: listing drafts, shipments, template text areas, NAS folder names, new job types.

An organization's NAS folder was the slug of its shop_name; it is now shop_name as it stands unless nas_folder says
otherwise. A shop_name that is not its own slug (set through the admin CLI, which never checked it) gets its old
slug as nas_folder, so its files stay in the folder they are in.

Revision ID: 0008e_etsy_loop
Revises: 0008a_design_analysis
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008e_etsy_loop'
down_revision = '0008a_design_analysis'
branch_labels = None
depends_on = None

OLD_TYPES = "('gang_sheets', 'mockups', 'designs', 'orders', 'print_files')"
NEW_TYPES = "('gang_sheets', 'mockups', 'designs', 'orders', 'print_files', 'listings', 'shipments', 'imports')"


def upgrade() -> None:
    op.drop_constraint(op.f('ck_print_jobs_job_type'), 'print_jobs', type_='check')
    op.create_check_constraint('job_type', 'print_jobs', f"job_type IN {NEW_TYPES}")
    op.add_column('templates', sa.Column('personalization', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('organizations', sa.Column('nas_folder', sa.String(length=64), nullable=True))
    op.create_unique_constraint(op.f('uq_organizations_nas_folder'), 'organizations', ['nas_folder'])
    _keep_old_folders()
    op.create_table(
        'listing_drafts',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('shop_id', sa.BigInteger(), nullable=False),
        sa.Column('design_file_id', sa.BigInteger(), nullable=True),
        sa.Column('template_id', sa.BigInteger(), nullable=True),
        sa.Column('print_job_id', sa.BigInteger(), nullable=True),
        sa.Column('created_by', sa.BigInteger(), nullable=True),
        sa.Column('spec', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('etsy_listing_id', sa.BigInteger(), nullable=True),
        sa.Column('create_attempted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('inventory_set_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('org_id', sa.BigInteger(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'creating', 'created', 'inventory_set', 'images_uploaded', "
                           "'completed', 'failed')", name=op.f('ck_listing_drafts_status')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_listing_drafts_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['design_file_id'], ['files.id'], name=op.f('fk_listing_drafts_design_file_id_files'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                                name=op.f('fk_listing_drafts_org_id_organizations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['print_job_id'], ['print_jobs.id'],
                                name=op.f('fk_listing_drafts_print_job_id_print_jobs'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_listing_drafts_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['template_id'], ['templates.id'],
                                name=op.f('fk_listing_drafts_template_id_templates'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_drafts')),
        sa.UniqueConstraint('shop_id', 'etsy_listing_id', name=op.f('uq_listing_drafts_shop_id_etsy_listing_id')),
    )
    for column in ('design_file_id', 'org_id', 'print_job_id', 'shop_id'):
        op.create_index(op.f(f'ix_listing_drafts_{column}'), 'listing_drafts', [column], unique=False)
    op.create_table(
        'shipments',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('order_id', sa.BigInteger(), nullable=False),
        sa.Column('carrier_name', sa.String(length=100), nullable=False),
        sa.Column('tracking_code', sa.String(length=100), nullable=True),
        sa.Column('note_to_buyer', sa.String(length=500), nullable=True),
        sa.Column('send_bcc', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('print_job_id', sa.BigInteger(), nullable=True),
        sa.Column('created_by', sa.BigInteger(), nullable=True),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('etsy_receipt_shipping_id', sa.BigInteger(), nullable=True),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('org_id', sa.BigInteger(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_shipments_status')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_shipments_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_shipments_org_id_organizations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['print_job_id'], ['print_jobs.id'],
                                name=op.f('fk_shipments_print_job_id_print_jobs'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    )
    for column in ('order_id', 'org_id', 'print_job_id'):
        op.create_index(op.f(f'ix_shipments_{column}'), 'shipments', [column], unique=False)


def _old_slug(shop_name: str) -> str | None:
    """nas.paths.shop_slug of the previous release (frozen here): the folder its files went to; None if none."""
    ascii_name = unicodedata.normalize("NFKD", shop_name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64].rstrip("-") or None


def _keep_old_folders() -> None:
    conn = op.get_bind()
    taken: set[str] = set()
    for org_id, shop_name in conn.execute(sa.text("SELECT id, shop_name FROM organizations ORDER BY id")).all():
        slug = _old_slug(shop_name)
        # Two such names with one slug shared a folder before; nas_folder is unique, so the first one keeps it.
        if slug and slug != shop_name and slug not in taken:
            taken.add(slug)
            conn.execute(sa.text("UPDATE organizations SET nas_folder = :slug WHERE id = :id"),
                         {"slug": slug, "id": org_id})


def downgrade() -> None:
    op.drop_table('shipments')
    op.drop_table('listing_drafts')
    op.drop_constraint(op.f('uq_organizations_nas_folder'), 'organizations', type_='unique')
    op.drop_column('organizations', 'nas_folder')
    op.drop_column('templates', 'personalization')
    op.execute("DELETE FROM print_jobs WHERE job_type IN ('listings', 'shipments', 'imports')")
    op.drop_constraint(op.f('ck_print_jobs_job_type'), 'print_jobs', type_='check')
    op.create_check_constraint('job_type', 'print_jobs', f"job_type IN {OLD_TYPES}")
