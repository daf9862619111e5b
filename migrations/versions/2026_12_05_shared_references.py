"""families: a reference may be shared by families opened without sight of each other

A family opened with the reference of one its creator cannot open is kept, and the earlier
family's lead is told (so nobody learns from the answer that a family exists). The
reference stays indexed for break-glass, which opens every family carrying it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 05:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_constraint('uq_family_reference', type_='unique')
        batch_op.create_index('ix_family_reference', ['reference'], unique=False)


def downgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_index('ix_family_reference')
        batch_op.create_unique_constraint('uq_family_reference', ['reference'])
