"""worker_processes: the WORKER_TYPE of each live procrastinate worker (health, queue info, metrics).

Revision ID: 0008w_worker_processes
Revises: 0007
Create Date: 2026-11-30 14:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008w_worker_processes'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'worker_processes',
        sa.Column('worker_id', sa.BigInteger(), nullable=False),
        sa.Column('worker_type', sa.String(length=20), nullable=False),
        sa.Column('hostname', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint("worker_type IN ('general', 'print_jobs', 'scheduler')",
                           name=op.f('ck_worker_processes_worker_type')),
        sa.ForeignKeyConstraint(['worker_id'], ['procrastinate_workers.id'],
                                name=op.f('fk_worker_processes_worker_id_procrastinate_workers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_processes')),
    )


def downgrade() -> None:
    op.drop_table('worker_processes')
