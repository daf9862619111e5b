"""agreements: who was at the meeting

(Reserved: filled in with its change, or left as a step that changes nothing.)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 06:00:00.000000

"""


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
