"""audit: append an entry in one statement on PostgreSQL (lock the chain, read its head, insert)

The application used to take the audit chain's advisory lock, read the chain's head and
insert the entry in three round trips per audited request. This function does the same
in one call; each statement inside it sees what was committed before it ran (a VOLATILE
function takes a fresh snapshot per statement), so the head read after the lock is
always the latest. The hash is SHA-256 over the previous hash, "|" and the entry's
canonical JSON, exactly as homelog.audit.services.entry_hash computes it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 16:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The advisory lock's key names the audit chain (homelog.audit.services uses the same).
AUDIT_LOCK_KEY = 7_146_803_251


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the application's single INSERT ... SELECT runs under the write lock
    op.execute(f"""
        CREATE FUNCTION homelog_audit_append(
            p_at timestamp, p_user_id integer, p_agency_id integer, p_action varchar,
            p_family_id integer, p_target_type varchar, p_target_id bigint, p_basis varchar,
            p_detail jsonb, p_canonical varchar
        ) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            previous varchar;
        BEGIN
            PERFORM pg_advisory_xact_lock({AUDIT_LOCK_KEY});
            SELECT entry_hash INTO previous FROM audit_entry ORDER BY id DESC LIMIT 1;
            previous := coalesce(previous, repeat('0', 64));
            INSERT INTO audit_entry (at, user_id, agency_id, action, family_id, target_type,
                                     target_id, basis, detail, prev_hash, entry_hash)
            VALUES (p_at, p_user_id, p_agency_id, p_action, p_family_id, p_target_type,
                    p_target_id, p_basis, p_detail, previous,
                    encode(sha256(convert_to(previous || '|' || p_canonical, 'UTF8')), 'hex'));
        END
        $$
    """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS homelog_audit_append(timestamp, integer, integer, "
                   "varchar, integer, varchar, bigint, varchar, jsonb, varchar)")
