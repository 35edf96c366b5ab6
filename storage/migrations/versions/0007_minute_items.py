"""minute items: the agenda item a resolution was minuted under, and minutes waiting to be checked

Revision ID: 0007_minute_items
Revises: 0006_resolution_meeting_date
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0007_minute_items'
down_revision = '0006_resolution_meeting_date'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minute_item', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('minute_item_title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
    op.create_table('minutes_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('found', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('checked', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('minutes_import')
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_column('minute_item_title')
        batch_op.drop_column('minute_item')
