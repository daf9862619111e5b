"""alerts: an inbox entry can hold a run's news for a family instead of one flag

One entry per family per engine run that changed its concerns (new, worse, better,
resolved, each with its sentence), not one per flag; immediate concerns and escalations
still have an entry per flag.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inbox_entry', schema=None) as batch_op:
        batch_op.alter_column('flag_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column(
            'news', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=True))


def downgrade():
    op.execute("DELETE FROM inbox_entry WHERE flag_id IS NULL")
    with op.batch_alter_table('inbox_entry', schema=None) as batch_op:
        batch_op.drop_column('news')
        batch_op.alter_column('flag_id', existing_type=sa.Integer(), nullable=False)
