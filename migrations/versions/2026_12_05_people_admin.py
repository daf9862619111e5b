"""people: when each user last signed in

Administrators see it beside each person (an account nobody uses is one to disable). It is
set when a session opens; accounts that signed in before this change take the start of
their latest session.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_signed_in_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE user_account SET last_signed_in_at = ("
        "SELECT max(user_session.created_at) FROM user_session "
        "WHERE user_session.user_id = user_account.id)"
    )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('last_signed_in_at')
