"""photos: photo records and their stored renditions (files live in HOMELOG_MEDIA_DIR)

Photos are not append-only: retention removes them (rows and files) with their family.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 13:21:38.599474

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('domain_key', sa.String(length=40), nullable=False),
    sa.Column('room', sa.String(length=40), nullable=True),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('parent_agreed', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('author_profession', sa.String(length=32), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('received_sha256', sa.String(length=64), nullable=False),
    sa.Column('received_bytes', sa.Integer(), nullable=False),
    sa.Column('received_format', sa.String(length=8), nullable=False),
    sa.Column('received_width', sa.Integer(), nullable=False),
    sa.Column('received_height', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_photo_agency_id_agency')),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_photo_family_id_family')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_photo_uploaded_by_id_user_account')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_photo_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
    sa.UniqueConstraint('uploaded_by_id', 'idempotency_key', name=op.f('uq_photo_uploaded_by_id_idempotency_key'))
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index('ix_photo_family_id_domain_key', ['family_id', 'domain_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_visit_id'), ['visit_id'], unique=False)

    op.create_table('photo_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('rendition', sa.String(length=16), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_photo_file_photo_id_photo')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_file')),
    sa.UniqueConstraint('photo_id', 'rendition', name=op.f('uq_photo_file_photo_id_rendition')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_photo_file_storage_key'))
    )


def downgrade():
    op.drop_table('photo_file')
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_visit_id'))
        batch_op.drop_index('ix_photo_family_id_domain_key')

    op.drop_table('photo')
