"""Send to the printer: printer output settings, printer_sends, orders' production state.

Revision ID: 0009r_rip
Revises: 0008e_etsy_loop
Create Date: 2026-11-30 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009r_rip'
down_revision = '0008e_etsy_loop'
branch_labels = None
depends_on = None

PATTERN = "{date}_job{job}_sheet{sheet}-of-{sheets}_{printer}_{length}in"
STATUSES = "('queued', 'sending', 'placing', 'waiting', 'failed', 'sent', 'printed', 'cancelled')"
LIVE = "('queued', 'sending', 'placing', 'waiting', 'failed', 'sent')"


def upgrade() -> None:
    op.add_column('printers', sa.Column('hot_folder', sa.String(length=500), nullable=True))
    op.add_column('printers', sa.Column('processed_folder', sa.String(length=500), nullable=True))
    op.add_column('printers', sa.Column('output_format', sa.String(length=8), server_default='png', nullable=False))
    op.add_column('printers', sa.Column('mirror', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('printers', sa.Column('file_name_pattern', sa.String(length=300), server_default=PATTERN,
                                        nullable=False))
    op.add_column('printers', sa.Column('job_ticket', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('printers', sa.Column('auto_send', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_check_constraint('output_format', 'printers', "output_format IN ('png', 'tiff')")
    op.add_column('orders', sa.Column('production_status', sa.String(length=16), nullable=True))
    op.add_column('orders', sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint('production_status', 'orders', "production_status IN ('sent', 'printed')")
    op.create_table(
        'printer_sends',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('printer_id', sa.BigInteger(), nullable=False),
        sa.Column('print_job_id', sa.BigInteger(), nullable=False),
        sa.Column('file_id', sa.BigInteger(), nullable=True),
        sa.Column('sheet', sa.Integer(), nullable=False),
        sa.Column('sheets', sa.Integer(), nullable=False),
        sa.Column('length_in', sa.Numeric(precision=10, scale=3), nullable=True),
        sa.Column('hot_folder', sa.String(length=500), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('ticket_name', sa.String(length=255), nullable=True),
        sa.Column('output_format', sa.String(length=8), nullable=False),
        sa.Column('mirror', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('message', sa.String(length=300), nullable=True),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('order_ids', postgresql.ARRAY(sa.BigInteger()), server_default='{}', nullable=False),
        sa.Column('reprint_of', sa.BigInteger(), nullable=True),
        sa.Column('created_by', sa.BigInteger(), nullable=True),
        sa.Column('size_bytes', sa.BigInteger(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('printed_by', sa.String(length=16), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('org_id', sa.BigInteger(), nullable=False),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f('ck_printer_sends_status')),
        sa.CheckConstraint("output_format IN ('png', 'tiff')", name=op.f('ck_printer_sends_output_format')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_printer_sends_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['file_id'], ['files.id'], name=op.f('fk_printer_sends_file_id_files'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_printer_sends_org_id_organizations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['print_job_id'], ['print_jobs.id'],
                                name=op.f('fk_printer_sends_print_job_id_print_jobs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['printer_id'], ['printers.id'], name=op.f('fk_printer_sends_printer_id_printers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reprint_of'], ['printer_sends.id'],
                                name=op.f('fk_printer_sends_reprint_of_printer_sends'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_printer_sends')),
    )
    op.create_index(op.f('ix_printer_sends_org_id'), 'printer_sends', ['org_id'])
    op.create_index(op.f('ix_printer_sends_print_job_id'), 'printer_sends', ['print_job_id'])
    op.create_index('ix_printer_sends_org_id_printer_id_status', 'printer_sends', ['org_id', 'printer_id', 'status'])
    op.create_index('uq_printer_sends_live_filename', 'printer_sends', ['printer_id', 'filename'], unique=True,
                    postgresql_where=sa.text(f"status IN {LIVE}"))


def downgrade() -> None:
    op.drop_table('printer_sends')
    op.drop_constraint(op.f('ck_orders_production_status'), 'orders', type_='check')
    op.drop_column('orders', 'printed_at')
    op.drop_column('orders', 'production_status')
    op.drop_constraint(op.f('ck_printers_output_format'), 'printers', type_='check')
    for column in ('auto_send', 'job_ticket', 'file_name_pattern', 'mirror', 'output_format', 'processed_folder',
                   'hot_folder'):
        op.drop_column('printers', column)
