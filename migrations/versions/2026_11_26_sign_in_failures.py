"""accounts: sign-in failures, counted to throttle guessing per account and address

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('account', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failure')),
    )
    op.create_index(op.f('ix_sign_in_failure_at'), 'sign_in_failure', ['at'], unique=False)
    op.create_index('ix_sign_in_failure_account_address_at', 'sign_in_failure',
                    ['account', 'address', 'at'], unique=False)
    op.create_index('ix_sign_in_failure_address_at', 'sign_in_failure', ['address', 'at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_sign_in_failure_address_at', table_name='sign_in_failure')
    op.drop_index('ix_sign_in_failure_account_address_at', table_name='sign_in_failure')
    op.drop_index(op.f('ix_sign_in_failure_at'), table_name='sign_in_failure')
    op.drop_table('sign_in_failure')
