"""engine: each flag's short phrase, joined with others into its concern's sentence

Flags stored before this have an empty phrase until the engine next refreshes them; until
then a concern says their whole explanation instead.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phrase', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_column('phrase')
