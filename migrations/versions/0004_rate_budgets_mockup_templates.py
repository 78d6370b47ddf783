"""Shared rate budgets (Etsy API limits across workers) and mockup templates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:09:31.305001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_budgets',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('refilled_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('day_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_budgets'))
    )
    op.create_table('mockup_templates',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('base_file_id', sa.BigInteger(), nullable=False),
    sa.Column('areas', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('watermark', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('output', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['base_file_id'], ['files.id'], name=op.f('fk_mockup_templates_base_file_id_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_mockup_templates_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mockup_templates')),
    sa.UniqueConstraint('org_id', 'name', name=op.f('uq_mockup_templates_org_id_name'))
    )
    op.create_index(op.f('ix_mockup_templates_base_file_id'), 'mockup_templates', ['base_file_id'], unique=False)
    op.create_index(op.f('ix_mockup_templates_org_id'), 'mockup_templates', ['org_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_mockup_templates_org_id'), table_name='mockup_templates')
    op.drop_index(op.f('ix_mockup_templates_base_file_id'), table_name='mockup_templates')
    op.drop_table('mockup_templates')
    op.drop_table('rate_budgets')
