"""one live response

A member's live "no comments" is unique per report, and a comment's revisions are numbered once each, so that
requests arriving at the same moment cannot store a response twice. And the console's clock is kept with its
data (console_time).

Revision ID: 0004_one_live_response
Revises: 0003
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0004_one_live_response'
down_revision = '0003'
branch_labels = None
depends_on = None

LIVE_NO_COMMENTS = sa.text("kind = 'NO_COMMENTS' AND withdrawn_at IS NULL")


def upgrade() -> None:
    # Duplicates stored before this migration: keep each member's first "no comments", withdraw the others.
    op.execute(
        "UPDATE comment SET withdrawn_at = updated_at WHERE kind = 'NO_COMMENTS' AND withdrawn_at IS NULL "
        "AND id NOT IN (SELECT min(id) FROM comment WHERE kind = 'NO_COMMENTS' AND withdrawn_at IS NULL "
        "GROUP BY window_id, author_user_id)"
    )
    # Revisions of two edits that raced were both given the same number: number them in the order stored.
    op.execute(
        "UPDATE comment_revision SET number = (SELECT count(*) FROM comment_revision AS earlier "
        "WHERE earlier.comment_id = comment_revision.comment_id AND earlier.id <= comment_revision.id)"
    )
    op.execute(
        "UPDATE comment SET revision_count = "
        "(SELECT count(*) FROM comment_revision WHERE comment_revision.comment_id = comment.id)"
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(
            'uq_comment_live_no_comments',
            ['window_id', 'author_user_id'],
            unique=True,
            sqlite_where=LIVE_NO_COMMENTS,
            postgresql_where=LIVE_NO_COMMENTS,
        )
    with op.batch_alter_table('comment_revision', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_comment_revision_number', ['comment_id', 'number'])
    op.create_table('console_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reached', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('console_time')
    with op.batch_alter_table('comment_revision', schema=None) as batch_op:
        batch_op.drop_constraint('uq_comment_revision_number', type_='unique')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('uq_comment_live_no_comments')
