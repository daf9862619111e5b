"""rubric: domains mapped across versions

(Reserved: filled in with its change, or left as a step that changes nothing.)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 06:00:00.000000

"""


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
