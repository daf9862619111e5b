"""retention: legal holds, the purge's permit, and the audit chain's anchor after a purge

Records past their retention period are removed by one audited command. The append-only
tables it removes from (visits, events, audit entries) still refuse every UPDATE, and
every DELETE unless the purge's permit row exists, which the purge writes and removes
inside its own transaction (so it is never committed). A family under legal hold keeps
everything. When the oldest audit entries go, the anchor keeps the hash the remaining
chain starts from, so the chain still verifies.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

PURGEABLE = ("visit", "event", "audit_entry")

_PG_GUARD = """
    CREATE OR REPLACE FUNCTION homelog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {allow}
        RAISE EXCEPTION '% records are append-only: record an amendment instead',
            TG_TABLE_NAME;
    END;
    $$
"""
_PG_ALLOW = ("IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('visit', 'event', 'audit_entry') "
             "AND EXISTS (SELECT 1 FROM retention_purge_permit) THEN RETURN OLD; END IF;")


def _sqlite_delete_guard(table, permit):
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_delete")
    when = " WHEN NOT EXISTS (SELECT 1 FROM retention_purge_permit)" if permit else ""
    op.execute(f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table}{when} "
               f"BEGIN SELECT RAISE(ABORT, '{table} records are append-only'); END")


def _guard_anchor():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON "
                   "audit_anchor FOR EACH ROW EXECUTE FUNCTION homelog_append_only()")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_anchor_append_only_{action.lower()} BEFORE {action} "
                   "ON audit_anchor BEGIN SELECT RAISE(ABORT, 'audit_anchor records are "
                   "append-only'); END")


def upgrade():
    op.create_table(
        'legal_hold',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('family_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('placed_by_id', sa.Integer(), nullable=False),
        sa.Column('placed_at', sa.DateTime(), nullable=False),
        sa.Column('lifted_by_id', sa.Integer(), nullable=True),
        sa.Column('lifted_at', sa.DateTime(), nullable=True),
        sa.Column('lift_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['family_id'], ['family.id']),
        sa.ForeignKeyConstraint(['placed_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['lifted_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_legal_hold_family_id', 'legal_hold', ['family_id'])
    op.create_table(
        'retention_purge_permit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'audit_anchor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first_kept_id', sa.BigInteger(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD.format(allow=_PG_ALLOW))
    else:
        for table in PURGEABLE:
            _sqlite_delete_guard(table, permit=True)
    _guard_anchor()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_anchor_append_only ON audit_anchor")
        op.execute(_PG_GUARD.format(allow=""))
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_anchor_append_only_{action}")
        for table in PURGEABLE:
            _sqlite_delete_guard(table, permit=False)
    op.drop_table('audit_anchor')
    op.drop_table('retention_purge_permit')
    op.drop_index('ix_legal_hold_family_id', table_name='legal_hold')
    op.drop_table('legal_hold')
