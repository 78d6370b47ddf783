"""A design that matching rules point at cannot be deleted (it no longer silently drops the rules).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 18:51:00.246123
"""
from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f('fk_design_mappings_design_file_id_files'), 'design_mappings', type_='foreignkey')
    op.create_foreign_key(op.f('fk_design_mappings_design_file_id_files'), 'design_mappings', 'files', ['design_file_id'], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    op.drop_constraint(op.f('fk_design_mappings_design_file_id_files'), 'design_mappings', type_='foreignkey')
    op.create_foreign_key(op.f('fk_design_mappings_design_file_id_files'), 'design_mappings', 'files', ['design_file_id'], ['id'], ondelete='CASCADE')
