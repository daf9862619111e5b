"""sessions: when the password was last confirmed in a session (recent sign-in for exports)

A session counts as recently signed in for a while after it started or after its password
was last confirmed; exports of a family's record ask for that.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
