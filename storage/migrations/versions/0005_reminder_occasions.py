"""reminder occasions

A reminder is one occasion of one item: the ledger's key becomes (item, kind, occasion, target), the planned
instant staying as data. Items record when their date was set, committees whose bank holidays they keep, and a
snooze delays one notice (its own table) instead of silencing an item for a week.

Revision ID: 0005_reminder_occasions
Revises: 0004_one_live_response
Create Date: 2026-12-02
"""
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0005_reminder_occasions'
down_revision = '0004_one_live_response'
branch_labels = None
depends_on = None

UTC_TIME = storage.types.UTCDateTime(timezone=True)
# How far the old planner could move a notice back from its nominal day (a weekend).
OLD_SHIFT_DAYS = 2
# Which of several rows for one occasion (the same notice planned at several hours) is kept.
STATE_PRIORITY = {'sent': 0, 'claimed': 1, 'failed': 2, 'dropped': 3}

committee = sa.table('committee', sa.column('id', sa.Integer), sa.column('timezone', sa.String),
                     sa.column('agenda_lead_days', sa.Integer))
window = sa.table('comment_window', sa.column('id', sa.Integer), sa.column('committee_id', sa.Integer),
                  sa.column('deadline', UTC_TIME), sa.column('deadline_day', sa.Date),
                  sa.column('opened_at', UTC_TIME), sa.column('deadline_set_at', UTC_TIME))
meeting = sa.table('meeting', sa.column('id', sa.Integer), sa.column('committee_id', sa.Integer),
                   sa.column('starts_at', UTC_TIME), sa.column('created_at', UTC_TIME),
                   sa.column('arranged_at', UTC_TIME))
resolution = sa.table('resolution', sa.column('id', sa.Integer), sa.column('due_date', sa.Date),
                      sa.column('due_meeting_id', sa.Integer), sa.column('created_at', UTC_TIME),
                      sa.column('due_set_at', UTC_TIME))
reminder = sa.table('reminder', sa.column('id', sa.Integer), sa.column('committee_id', sa.Integer),
                    sa.column('item', sa.String), sa.column('kind', sa.String), sa.column('due', UTC_TIME),
                    sa.column('target', sa.String), sa.column('state', sa.String), sa.column('occasion', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_holidays', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False,
                                      server_default='england-and-wales'))
    with op.batch_alter_table('comment_window', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deadline_set_at', UTC_TIME, nullable=True))
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arranged_at', UTC_TIME, nullable=True))
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_set_at', UTC_TIME, nullable=True))
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occasion', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    connection = op.get_bind()
    committees = connection.execute(sa.select(committee)).all()
    zones = {row.id: ZoneInfo(row.timezone) for row in committees}
    leads = {row.id: row.agenda_lead_days for row in committees}
    _date_items(connection, zones)
    _key_by_occasion(connection, zones, leads)

    for table in ('comment_window', 'meeting', 'resolution'):
        column = {'comment_window': 'deadline_set_at', 'meeting': 'arranged_at', 'resolution': 'due_set_at'}[table]
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=UTC_TIME, nullable=False)
            if table == 'comment_window':
                batch_op.alter_column('deadline_day', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.alter_column('occasion', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.drop_constraint('uq_reminder_key', type_='unique')
        batch_op.create_unique_constraint('uq_reminder_key', ['item', 'kind', 'occasion', 'target'])

    # A snooze used to silence every reminder about an item for a week, the last notices included: those rows
    # are dropped, so what they held back goes out as planned. Mutes are for good.
    op.execute("DELETE FROM reminder_mute WHERE until IS NOT NULL")
    with op.batch_alter_table('reminder_mute', schema=None) as batch_op:
        batch_op.drop_column('until')
    op.create_table('reminder_snooze',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('occasion', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('until', UTC_TIME, nullable=False),
    sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('set_at', UTC_TIME, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item', 'kind', 'occasion', name='uq_reminder_snooze')
    )


def _date_items(connection, zones: dict[int, ZoneInfo]) -> None:
    """When each item's date was set, as far as is known: when it was made."""
    for row in connection.execute(sa.select(window)).all():
        day = row.deadline.astimezone(zones[row.committee_id]).date()
        connection.execute(
            window.update().where(window.c.id == row.id).values(deadline_day=day, deadline_set_at=row.opened_at)
        )
    connection.execute(meeting.update().values(arranged_at=meeting.c.created_at))
    connection.execute(resolution.update().values(due_set_at=resolution.c.created_at))


def _key_by_occasion(connection, zones: dict[int, ZoneInfo], leads: dict[int, int]) -> None:
    """Each ledger row gets the occasion the new planner gives its notice, so nothing sent is sent again. Rows
    that turn out to be one occasion planned at several hours (the duplicates this change ends) are merged."""
    windows = {row.id: row for row in connection.execute(sa.select(window))}
    meetings = {row.id: row for row in connection.execute(sa.select(meeting))}
    resolutions = {row.id: row for row in connection.execute(sa.select(resolution))}
    rows = connection.execute(sa.select(reminder)).all()
    by_key = defaultdict(list)
    for row in rows:
        zone = zones[row.committee_id]
        occasion = _occasion(row, zone, leads[row.committee_id], windows, meetings, resolutions)
        by_key[(row.item, row.kind, occasion, row.target)].append((row, occasion))
    for duplicates in by_key.values():
        ranked = sorted(duplicates, key=lambda pair: (STATE_PRIORITY.get(pair[0].state, 9), pair[0].id))
        (kept, occasion), rest = ranked[0], ranked[1:]
        connection.execute(reminder.update().where(reminder.c.id == kept.id).values(occasion=occasion))
        if rest:
            connection.execute(reminder.delete().where(reminder.c.id.in_([row.id for row, _ in rest])))


def _occasion(row, zone, lead, windows, meetings, resolutions) -> str:
    kind, (item_type, _, number) = row.kind, row.item.partition(':')
    sent_day = row.due.astimezone(zone).date()
    if kind in ('window.closed', 'window.compiled') or not number.isdigit():
        return row.due.astimezone(UTC).isoformat()
    if kind == 'overdue.digest':
        return (sent_day - timedelta(days=sent_day.weekday())).isoformat()
    item_id = int(number)
    if item_type == 'window':
        days_before = {'window.week': 7, 'window.tomorrow': 1, 'window.nudge': 1}.get(kind, 0)
        found = windows.get(item_id)
        return _nearest(sent_day, days_before, found.deadline.astimezone(zone).date() if found else None)
    if item_type == 'meeting':
        found = meetings.get(item_id)
        return _nearest(sent_day, lead, found.starts_at.astimezone(zone).date() if found else None)
    found = resolutions.get(item_id)
    if kind.startswith('action.'):
        return _nearest(sent_day, 7 if kind == 'action.week' else 0, found.due_date if found else None)
    days_before = {'report.lead': 2 * lead, 'report.week': lead + 7}.get(kind, lead)
    attached = meetings.get(found.due_meeting_id) if found and found.due_meeting_id else None
    return _nearest(sent_day, days_before, attached.starts_at.astimezone(zone).date() if attached else None)


def _nearest(sent_day: date, days_before: int, current_day: date | None) -> str:
    """The item's current day, if the notice was sent in its run-up; else the day it counted down to then."""
    nominal = sent_day + timedelta(days=days_before)
    if current_day is not None and nominal <= current_day <= nominal + timedelta(days=OLD_SHIFT_DAYS):
        return current_day.isoformat()
    return nominal.isoformat()


def downgrade() -> None:
    op.drop_table('reminder_snooze')
    with op.batch_alter_table('reminder_mute', schema=None) as batch_op:
        batch_op.add_column(sa.Column('until', UTC_TIME, nullable=True))
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reminder_key', type_='unique')
        batch_op.create_unique_constraint('uq_reminder_key', ['item', 'kind', 'due', 'target'])
        batch_op.drop_column('occasion')
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_column('due_set_at')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('arranged_at')
    with op.batch_alter_table('comment_window', schema=None) as batch_op:
        batch_op.drop_column('deadline_set_at')
        batch_op.drop_column('deadline_day')
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.drop_column('bank_holidays')
