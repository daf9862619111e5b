"""families: closing and reopening, and an append-only history of every change to a family

A family's record can be closed with a reason and reopened; `family.closed_at` and
`family.closed_reason` hold the closure in force (NULL while open). `family_change` keeps,
append-only (triggers refuse UPDATE and DELETE), every change to the family's record and to
its core group: who made it, when, what changed from what to what, and the reason. The live
membership stays in `core_group_member`; the history says who was in the group when.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _guard_history():
    """family_change is append-only, like visits and the audit trail (no purge permit)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER family_change_append_only BEFORE UPDATE OR DELETE ON "
                   "family_change FOR EACH ROW EXECUTE FUNCTION homelog_append_only()")
        op.execute("CREATE TRIGGER family_change_no_truncate BEFORE TRUNCATE ON family_change "
                   "FOR EACH STATEMENT EXECUTE FUNCTION homelog_append_only()")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER family_change_append_only_{action.lower()} BEFORE {action} "
                   "ON family_change BEGIN SELECT RAISE(ABORT, 'family_change records are "
                   "append-only'); END")


def upgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.Text(), nullable=True))
    op.create_table(
        'family_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('family_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                    'postgresql'), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['family_id'], ['family.id'],
                                name=op.f('fk_family_change_family_id_family')),
        sa.ForeignKeyConstraint(['by_id'], ['user_account.id'],
                                name=op.f('fk_family_change_by_id_user_account')),
        sa.ForeignKeyConstraint(['member_id'], ['user_account.id'],
                                name=op.f('fk_family_change_member_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_family_change')),
    )
    op.create_index('ix_family_change_family_id_at', 'family_change', ['family_id', 'at'])
    _guard_history()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS family_change_append_only ON family_change")
        op.execute("DROP TRIGGER IF EXISTS family_change_no_truncate ON family_change")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS family_change_append_only_{action}")
    op.drop_index('ix_family_change_family_id_at', table_name='family_change')
    op.drop_table('family_change')
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('closed_at')
