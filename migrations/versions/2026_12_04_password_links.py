"""accounts: one-time links to set a password (forgotten password, new account)

Only a hash of each link's token is stored. A link ends when used, when a newer one is
made for the same user, or when it expires.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'password_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_password_link_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_link_token_hash')),
    )
    op.create_index(op.f('ix_password_link_user_id'), 'password_link', ['user_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_password_link_user_id'), table_name='password_link')
    op.drop_table('password_link')
