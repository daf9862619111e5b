"""agreements: who was at the meeting

Each agreement revision keeps the people at the meeting where the levels were agreed (core
group members and parents or carers, as lines of text written down at the time, so a later
change of name or agency does not rewrite the record). Revisions made before this have none.
The table stays append-only: adding a column keeps its triggers on SQLite and PostgreSQL.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (not a batch copy of the table), so SQLite keeps the table and its
    # append-only triggers; a constant default fills the revisions already there.
    op.add_column('agreement_revision',
                  sa.Column('attendees',
                            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                   'postgresql'),
                            nullable=False, server_default='[]'))


def downgrade():
    op.drop_column('agreement_revision', 'attendees')
