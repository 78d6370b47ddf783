"""Printers (one default per org), product templates with sizes, print jobs; files link to their job.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 17:45:19.329706
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('printers',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('printer_type', sa.String(length=16), nullable=False),
    sa.Column('manufacturer', sa.String(length=120), nullable=True),
    sa.Column('model', sa.String(length=120), nullable=True),
    sa.Column('max_width_in', sa.Numeric(precision=8, scale=3), nullable=False),
    sa.Column('max_height_in', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.Column('dpi', sa.Integer(), nullable=False),
    sa.Column('supported_media', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('supported_template_ids', postgresql.ARRAY(sa.BigInteger()), server_default='{}', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("printer_type IN ('dtf', 'uvdtf', 'sublimation', 'vinyl', 'other')", name=op.f('ck_printers_printer_type')),
    sa.CheckConstraint('dpi BETWEEN 72 AND 4800', name=op.f('ck_printers_dpi')),
    sa.CheckConstraint('max_width_in > 0 AND (max_height_in IS NULL OR max_height_in > 0)', name=op.f('ck_printers_size')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_printers_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_printers')),
    sa.UniqueConstraint('org_id', 'name', name=op.f('uq_printers_org_id_name'))
    )
    op.create_index(op.f('ix_printers_org_id'), 'printers', ['org_id'], unique=False)
    op.create_index('uq_printers_one_default', 'printers', ['org_id'], unique=True, postgresql_where=sa.text('is_default'))
    op.create_table('templates',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=True),
    sa.Column('product_type', sa.String(length=64), nullable=True),
    sa.Column('canvas_width_in', sa.Numeric(precision=8, scale=3), nullable=False),
    sa.Column('canvas_height_in', sa.Numeric(precision=9, scale=3), nullable=False),
    sa.Column('dpi', sa.Integer(), nullable=False),
    sa.Column('spacing_in', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('margin_in', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('allow_stretch', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('canvas_width_in > 0 AND canvas_height_in > 0', name=op.f('ck_templates_canvas')),
    sa.CheckConstraint('dpi BETWEEN 72 AND 4800', name=op.f('ck_templates_dpi')),
    sa.CheckConstraint('spacing_in >= 0 AND margin_in >= 0', name=op.f('ck_templates_spacing')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_templates_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_templates')),
    sa.UniqueConstraint('org_id', 'name', name=op.f('uq_templates_org_id_name'))
    )
    op.create_index(op.f('ix_templates_org_id'), 'templates', ['org_id'], unique=False)
    op.create_table('print_jobs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('job_type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('printer_id', sa.BigInteger(), nullable=True),
    sa.Column('template_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('queue_job_id', sa.BigInteger(), nullable=True),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('progress_message', sa.String(length=300), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('output_length_in', sa.Numeric(precision=10, scale=3), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("job_type IN ('gang_sheets', 'mockups', 'designs', 'orders', 'print_files')", name=op.f('ck_print_jobs_job_type')),
    sa.CheckConstraint("status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')", name=op.f('ck_print_jobs_status')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_print_jobs_progress')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_print_jobs_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_print_jobs_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['printer_id'], ['printers.id'], name=op.f('fk_print_jobs_printer_id_printers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_print_jobs_template_id_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_jobs'))
    )
    op.create_index(op.f('ix_print_jobs_created_by'), 'print_jobs', ['created_by'], unique=False)
    op.create_index(op.f('ix_print_jobs_org_id'), 'print_jobs', ['org_id'], unique=False)
    op.create_index('ix_print_jobs_org_id_status_created_at', 'print_jobs', ['org_id', 'status', 'created_at'], unique=False)
    op.create_index(op.f('ix_print_jobs_printer_id'), 'print_jobs', ['printer_id'], unique=False)
    op.create_index(op.f('ix_print_jobs_queue_job_id'), 'print_jobs', ['queue_job_id'], unique=False)
    op.create_table('template_sizes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('template_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('width_in', sa.Numeric(precision=8, scale=3), nullable=False),
    sa.Column('height_in', sa.Numeric(precision=8, scale=3), nullable=False),
    sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('width_in > 0 AND height_in > 0', name=op.f('ck_template_sizes_size')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_template_sizes_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_template_sizes_template_id_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_sizes')),
    sa.UniqueConstraint('template_id', 'name', name=op.f('uq_template_sizes_template_id_name'))
    )
    op.create_index(op.f('ix_template_sizes_org_id'), 'template_sizes', ['org_id'], unique=False)
    op.create_index(op.f('ix_template_sizes_template_id'), 'template_sizes', ['template_id'], unique=False)
    op.add_column('files', sa.Column('print_job_id', sa.BigInteger(), nullable=True))
    op.add_column('files', sa.Column('analysis', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_index(op.f('ix_files_print_job_id'), 'files', ['print_job_id'], unique=False)
    op.create_foreign_key(op.f('fk_files_print_job_id_print_jobs'), 'files', 'print_jobs', ['print_job_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    op.drop_constraint(op.f('fk_files_print_job_id_print_jobs'), 'files', type_='foreignkey')
    op.drop_index(op.f('ix_files_print_job_id'), table_name='files')
    op.drop_column('files', 'analysis')
    op.drop_column('files', 'print_job_id')
    op.drop_index(op.f('ix_template_sizes_template_id'), table_name='template_sizes')
    op.drop_index(op.f('ix_template_sizes_org_id'), table_name='template_sizes')
    op.drop_table('template_sizes')
    op.drop_index(op.f('ix_print_jobs_queue_job_id'), table_name='print_jobs')
    op.drop_index(op.f('ix_print_jobs_printer_id'), table_name='print_jobs')
    op.drop_index('ix_print_jobs_org_id_status_created_at', table_name='print_jobs')
    op.drop_index(op.f('ix_print_jobs_org_id'), table_name='print_jobs')
    op.drop_index(op.f('ix_print_jobs_created_by'), table_name='print_jobs')
    op.drop_table('print_jobs')
    op.drop_index(op.f('ix_templates_org_id'), table_name='templates')
    op.drop_table('templates')
    op.drop_index('uq_printers_one_default', table_name='printers', postgresql_where=sa.text('is_default'))
    op.drop_index(op.f('ix_printers_org_id'), table_name='printers')
    op.drop_table('printers')
