"""rubric: how each version's domains continue the previous version's

Two columns on the append-only rubric_version: `continues` (domain key -> the previous
version's keys it carries on: a rename, a split, a merge) and `retired` (the previous
keys nothing carries on). Versions loaded before this have neither; they read as "same
key, same domain". Added with ALTER TABLE on both databases, so the table is not rebuilt
and its append-only triggers stay in place.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.add_column('rubric_version', sa.Column('continues', _JSON, nullable=True))
    op.add_column('rubric_version', sa.Column('retired', _JSON, nullable=True))


def downgrade():
    op.execute("ALTER TABLE rubric_version DROP COLUMN retired")
    op.execute("ALTER TABLE rubric_version DROP COLUMN continues")
