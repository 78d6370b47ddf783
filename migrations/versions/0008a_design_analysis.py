"""Each image file keeps its design analysis (pixel size, DPI, visible artwork box), made once after upload.

Rows of earlier releases have none (NULL): they are analysed lazily when a job needs them, and by the file sweep.

Revision ID: 0008a_design_analysis
Revises: 0008w_worker_processes
Create Date: 2026-12-02 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008a_design_analysis'
down_revision = '0008w_worker_processes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('files', sa.Column('design_analysis', postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column('files', 'design_analysis')
