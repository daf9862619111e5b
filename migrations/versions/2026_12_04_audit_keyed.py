"""audit: entries sealed with a key kept outside the database (HMAC-SHA256)

An entry's hash was SHA-256 over the previous hash and its content, which anyone able to
change the database could recompute after editing or removing entries. New entries are
sealed with HMAC-SHA256 under HOMELOG_AUDIT_KEY, which the database never holds (the
application passes the key's two padded forms, RFC 2104, with each append). `keyed`
says which way an entry was sealed: entries from before this migration keep their plain
hashes and still verify, and no plain entry may follow a keyed one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The advisory lock's key names the audit chain (homelog.audit.services uses the same).
AUDIT_LOCK_KEY = 7_146_803_251
_OLD_SIGNATURE = ("timestamp, integer, integer, varchar, integer, varchar, bigint, varchar, "
                  "jsonb, varchar")


def _function(keyed):
    parameters = ", p_inner_pad bytea, p_outer_pad bytea" if keyed else ""
    message = "convert_to(previous || '|' || p_canonical, 'UTF8')"
    sealed = (f"encode(sha256(p_outer_pad || sha256(p_inner_pad || {message})), 'hex')"
              if keyed else f"encode(sha256({message}), 'hex')")
    columns, values = (", keyed", ", true") if keyed else ("", "")
    return f"""
        CREATE FUNCTION homelog_audit_append(
            p_at timestamp, p_user_id integer, p_agency_id integer, p_action varchar,
            p_family_id integer, p_target_type varchar, p_target_id bigint, p_basis varchar,
            p_detail jsonb, p_canonical varchar{parameters}
        ) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            previous varchar;
        BEGIN
            PERFORM pg_advisory_xact_lock({AUDIT_LOCK_KEY});
            SELECT entry_hash INTO previous FROM audit_entry ORDER BY id DESC LIMIT 1;
            previous := coalesce(previous, repeat('0', 64));
            INSERT INTO audit_entry (at, user_id, agency_id, action, family_id, target_type,
                                     target_id, basis, detail, prev_hash, entry_hash{columns})
            VALUES (p_at, p_user_id, p_agency_id, p_action, p_family_id, p_target_type,
                    p_target_id, p_basis, p_detail, previous, {sealed}{values});
        END
        $$
    """


def upgrade():
    # A plain ADD COLUMN with a constant default rewrites no row, so the append-only
    # guard is not touched (no batch mode: copying the table would mean deleting it).
    op.add_column('audit_entry', sa.Column('keyed', sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION homelog_audit_append({_OLD_SIGNATURE})")
        op.execute(_function(keyed=True))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION homelog_audit_append({_OLD_SIGNATURE}, bytea, bytea)")
        op.execute(_function(keyed=False))
    op.drop_column('audit_entry', 'keyed')
