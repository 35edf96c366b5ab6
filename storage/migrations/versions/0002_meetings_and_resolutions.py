"""meetings and resolutions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_key')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_committee_starts', ['committee_id', 'starts_at'], unique=False)

    op.create_table('resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('owner_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('owner_title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_rule', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('due_meeting_id', sa.Integer(), nullable=True),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('slipped_count', sa.Integer(), nullable=False),
    sa.Column('comment_window_id', sa.Integer(), nullable=True),
    sa.Column('closing_note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['comment_window_id'], ['comment_window.id'], ),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], ),
    sa.ForeignKeyConstraint(['due_meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_key')
    )
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.create_index('ix_resolution_committee_status_due', ['committee_id', 'status', 'due_at'], unique=False)
        batch_op.create_index('ix_resolution_due_meeting', ['due_meeting_id'], unique=False)
        batch_op.create_index('ix_resolution_owner_status_due', ['owner_user_id', 'status', 'due_at'], unique=False)

    op.create_table('resolution_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resolution_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('actor_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('before', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('after', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['resolution_id'], ['resolution.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_key')
    )
    with op.batch_alter_table('resolution_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolution_change_resolution_id'), ['resolution_id'], unique=False)

    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_lead_days', sa.Integer(), nullable=False, server_default='14'))
        batch_op.add_column(sa.Column('calendar_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_committee_calendar_token', ['calendar_token'])


def downgrade() -> None:
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.drop_constraint('uq_committee_calendar_token', type_='unique')
        batch_op.drop_column('calendar_token')
        batch_op.drop_column('agenda_lead_days')

    with op.batch_alter_table('resolution_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resolution_change_resolution_id'))

    op.drop_table('resolution_change')
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_index('ix_resolution_owner_status_due')
        batch_op.drop_index('ix_resolution_due_meeting')
        batch_op.drop_index('ix_resolution_committee_status_due')

    op.drop_table('resolution')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_committee_starts')

    op.drop_table('meeting')
