"""auth_sessions (revocable sign-in sessions, rotating refresh tokens) and auth_throttles (per-address limits).

Tokens issued before this revision carry no session and are refused with 401 (sign in again).

Revision ID: 0009s_security
Revises: 0009c_console_connect
Create Date: 2026-11-30 16:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009s_security'
down_revision = '0009c_console_connect'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'auth_sessions',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('generation', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('org_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_auth_sessions_org_id_organizations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_sessions')),
    )
    op.create_index(op.f('ix_auth_sessions_org_id'), 'auth_sessions', ['org_id'], unique=False)
    op.create_index(op.f('ix_auth_sessions_user_id'), 'auth_sessions', ['user_id'], unique=False)
    op.create_table(
        'auth_throttles',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_auth_throttles')),
    )


def downgrade() -> None:
    op.drop_table('auth_throttles')
    op.drop_index(op.f('ix_auth_sessions_user_id'), table_name='auth_sessions')
    op.drop_index(op.f('ix_auth_sessions_org_id'), table_name='auth_sessions')
    op.drop_table('auth_sessions')
