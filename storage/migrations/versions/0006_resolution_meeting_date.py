"""the day of the meeting that made each resolution

Revision ID: 0006_resolution_meeting_date
Revises: 0005_reminder_occasions
Create Date: 2026-12-02
"""
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0006_resolution_meeting_date'
down_revision = '0005_reminder_occasions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_date', sa.Date(), nullable=True))
    # Resolutions recorded against a meeting in the calendar take its day, in the committee's zone; for the others
    # the day the clerk gave was not kept, and the register says so rather than guess.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT resolution.id, meeting.starts_at, committee.timezone FROM resolution "
            "JOIN meeting ON meeting.id = resolution.meeting_id JOIN committee ON committee.id = resolution.committee_id"
        )
    )
    set_day = sa.text("UPDATE resolution SET meeting_date = :day WHERE id = :id").bindparams(
        sa.bindparam("day", type_=sa.Date())
    )
    for resolution_id, starts_at, zone in rows.fetchall():
        if isinstance(starts_at, str):  # SQLite keeps the instant as ISO text
            starts_at = datetime.fromisoformat(starts_at)
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=ZoneInfo('UTC'))
        connection.execute(set_day, {"day": starts_at.astimezone(ZoneInfo(zone)).date(), "id": resolution_id})


def downgrade() -> None:
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_column('meeting_date')
