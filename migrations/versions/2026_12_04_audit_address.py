"""audit: each entry made during a request keeps the address it came from

The network address (the client's, as the trusted proxies report it) is part of what an
entry's seal covers when it is there; entries made outside a request (commands, jobs)
and those from before this migration have none, and their seals are unchanged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

AUDIT_LOCK_KEY = 7_146_803_251
_SIGNATURE = ("timestamp, integer, integer, varchar, integer, varchar, bigint, varchar, "
              "jsonb, varchar, bytea, bytea")


def _function(with_address):
    parameter = ", p_address varchar" if with_address else ""
    column, value = (", address", ", p_address") if with_address else ("", "")
    return f"""
        CREATE FUNCTION homelog_audit_append(
            p_at timestamp, p_user_id integer, p_agency_id integer, p_action varchar,
            p_family_id integer, p_target_type varchar, p_target_id bigint, p_basis varchar,
            p_detail jsonb, p_canonical varchar, p_inner_pad bytea, p_outer_pad bytea{parameter}
        ) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            previous varchar;
        BEGIN
            PERFORM pg_advisory_xact_lock({AUDIT_LOCK_KEY});
            SELECT entry_hash INTO previous FROM audit_entry ORDER BY id DESC LIMIT 1;
            previous := coalesce(previous, repeat('0', 64));
            INSERT INTO audit_entry (at, user_id, agency_id, action, family_id, target_type,
                                     target_id, basis, detail, prev_hash, entry_hash, keyed{column})
            VALUES (p_at, p_user_id, p_agency_id, p_action, p_family_id, p_target_type,
                    p_target_id, p_basis, p_detail, previous,
                    encode(sha256(p_outer_pad || sha256(p_inner_pad
                        || convert_to(previous || '|' || p_canonical, 'UTF8'))), 'hex'),
                    true{value});
        END
        $$
    """


def upgrade():
    op.add_column('audit_entry', sa.Column('address', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION homelog_audit_append({_SIGNATURE})")
        op.execute(_function(with_address=True))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION homelog_audit_append({_SIGNATURE}, varchar)")
        op.execute(_function(with_address=False))
    op.drop_column('audit_entry', 'address')
