"""families and core groups: closing, reopening, edits and membership kept as history

(Reserved: filled in with its change, or left as a step that changes nothing.)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 06:00:00.000000

"""


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
