"""personal data

An audit log of what was done with personal data (exports, erasures, retention sweeps), when each daily task last
ran, when a report's comments were deleted at the end of the retention period, and former members' "no comments"
left out of the one-live-response index (erased, they are anonymous: several may stand on one report).

Revision ID: 0008_personal_data
Revises: 0007_minute_items
Create Date: 2026-12-14
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0008_personal_data'
down_revision = '0007_minute_items'
branch_labels = None
depends_on = None

LIVE_NO_COMMENTS = sa.text("kind = 'NO_COMMENTS' AND withdrawn_at IS NULL")
LIVE_IDENTIFIED_NO_COMMENTS = sa.text(
    "kind = 'NO_COMMENTS' AND withdrawn_at IS NULL AND author_user_id <> 'a former member'"
)


def _one_live_response_index(where) -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('uq_comment_live_no_comments')
        batch_op.create_index(
            'uq_comment_live_no_comments',
            ['window_id', 'author_user_id'],
            unique=True,
            sqlite_where=where,
            postgresql_where=where,
        )


def upgrade() -> None:
    op.create_table('personal_data_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('member_reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('counts', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_personal_data_log_member', 'personal_data_log', ['workspace_id', 'member_reference'])
    op.create_table('housekeeping',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('last_run_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('comment_window', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comments_deleted_at', storage.types.UTCDateTime(timezone=True), nullable=True))
    _one_live_response_index(LIVE_IDENTIFIED_NO_COMMENTS)


def downgrade() -> None:
    _one_live_response_index(LIVE_NO_COMMENTS)
    with op.batch_alter_table('comment_window', schema=None) as batch_op:
        batch_op.drop_column('comments_deleted_at')
    op.drop_table('housekeeping')
    op.drop_index('ix_personal_data_log_member', table_name='personal_data_log')
    op.drop_table('personal_data_log')
