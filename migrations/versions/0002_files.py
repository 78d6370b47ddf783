"""Files: stored objects with checksum, image facts and tags.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 17:38:54.526090
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('files',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=True),
    sa.Column('file_type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('storage_key', sa.String(length=400), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('original_filename', sa.String(length=500), nullable=True),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('width_px', sa.Integer(), nullable=True),
    sa.Column('height_px', sa.Integer(), nullable=True),
    sa.Column('dpi_x', sa.Float(), nullable=True),
    sa.Column('dpi_y', sa.Float(), nullable=True),
    sa.Column('dpi', sa.Float(), nullable=True),
    sa.Column('color_mode', sa.String(length=16), nullable=True),
    sa.Column('has_alpha', sa.Boolean(), nullable=True),
    sa.Column('has_thumbnail', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('backed_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=1000), nullable=True),
    sa.Column('org_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("file_type IN ('designs', 'mockups', 'print_files', 'gang_sheets', 'templates', 'watermarks', 'exports', 'other')", name=op.f('ck_files_file_type')),
    sa.CheckConstraint("status IN ('uploading', 'ready', 'backed_up', 'failed', 'archived')", name=op.f('ck_files_status')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_files_size')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_files_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_files_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_files_storage_key'))
    )
    op.create_index(op.f('ix_files_dpi'), 'files', ['dpi'], unique=False)
    op.create_index(op.f('ix_files_org_id'), 'files', ['org_id'], unique=False)
    op.create_index('ix_files_org_id_file_type_created_at', 'files', ['org_id', 'file_type', 'created_at'], unique=False)
    op.create_index('ix_files_org_id_sha256', 'files', ['org_id', 'sha256'], unique=False)
    op.create_index(op.f('ix_files_shop_id'), 'files', ['shop_id'], unique=False)
    op.create_index('ix_files_tags', 'files', ['tags'], unique=False, postgresql_using='gin')


def downgrade() -> None:
    op.drop_index('ix_files_tags', table_name='files', postgresql_using='gin')
    op.drop_index(op.f('ix_files_shop_id'), table_name='files')
    op.drop_index('ix_files_org_id_sha256', table_name='files')
    op.drop_index('ix_files_org_id_file_type_created_at', table_name='files')
    op.drop_index(op.f('ix_files_org_id'), table_name='files')
    op.drop_index(op.f('ix_files_dpi'), table_name='files')
    op.drop_table('files')
