"""platform identity

Ids for more than one chat platform: every column holding a platform's id (workspace, channel, person, message)
widens from 32 to 255 characters (a Microsoft tenant id is 36, a Teams conversation id far longer); a workspace
says which platform it is on; message ids are named refs, not Slack timestamps; and a committee's place, or a
thread in it, can keep the conversation reference a platform needs to post there unprompted.

SQLite never enforces a VARCHAR's length, so there the columns are left as declared rather than every table
rebuilt (with foreign keys on, a rebuilt parent table would take its children's rows with it).

Revision ID: 0009_platform_identity
Revises: 0008_personal_data
Create Date: 2027-01-10
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0009_platform_identity'
down_revision = '0008_personal_data'
branch_labels = None
depends_on = None

NARROW, WIDE = 32, 255
PLATFORM_IDS = {
    'workspace': ['id'],
    'committee': ['workspace_id', 'channel_id', 'chair_user_id', 'created_by'],
    'committee_clerk': ['user_id'],
    'comment_window': ['officer_user_id', 'opened_by', 'announcement_ts'],
    'comment': ['author_user_id'],
    'comment_revision': ['actor_user_id'],
    'comment_draft': ['author_user_id'],
    'meeting': ['created_by'],
    'resolution': ['owner_user_id', 'created_by'],
    'minutes_import': ['created_by'],
    'resolution_change': ['actor_user_id'],
    'reminder': ['target', 'message_ts'],
    'reminder_mute': ['user_id', 'set_by'],
    'reminder_snooze': ['set_by'],
}
RENAMED = [('comment_window', 'announcement_ts', 'announcement_ref'), ('reminder', 'message_ts', 'message_ref')]


def upgrade() -> None:
    _resize(NARROW, WIDE)
    for table, old, new in RENAMED:
        op.execute(f'ALTER TABLE {table} RENAME COLUMN {old} TO {new}')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='slack')
        )
    op.create_table('conversation_reference',
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('thread_ref', sqlmodel.sql.sqltypes.AutoString(length=WIDE), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], ),
    sa.PrimaryKeyConstraint('committee_id', 'thread_ref')
    )


def downgrade() -> None:
    op.drop_table('conversation_reference')
    op.execute('ALTER TABLE workspace DROP COLUMN platform')  # natively: see above on rebuilding tables in SQLite
    for table, old, new in RENAMED:
        op.execute(f'ALTER TABLE {table} RENAME COLUMN {new} TO {old}')
    _resize(WIDE, NARROW)


def _resize(before: int, after: int) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, columns in PLATFORM_IDS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.String(after), existing_type=sa.String(before))
