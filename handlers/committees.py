"""Setting a channel up as a committee, and the membership and clerk checks every other use case needs."""

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers import log_context
from handlers.context import Actor, Services
from handlers.errors import (
    AlreadySetUp,
    InvalidInput,
    NotAClerk,
    NotACommitteeChannel,
    NotAllowed,
    NotAMember,
    NotFound,
)
from handlers.wording import Command
from storage.committees import (
    CommitteeView,
    clerk_ids,
    committee_ids_clerked_by,
    committee_in_channel,
    committee_in_channel_for,
    committees_by_id,
    create_committee,
    ensure_workspace,
    replace_clerks,
    update_committee,
)
from storage.database import Conflict, Readable, Session
from storage.models import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class CommitteeSetup:
    name: str
    timezone: str = DEFAULT_TIMEZONE
    # None: the person setting it up. A form always sends its clerks, so an empty list there was not chosen.
    clerk_ids: tuple[str, ...] | None = None
    chair_id: str | None = None


@dataclass(frozen=True)
class CommitteeSummary:
    id: int
    name: str
    channel_id: str
    timezone: str
    clerk_ids: tuple[str, ...]
    chair_id: str | None
    created: bool


def validate_timezone(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput('Please give the committee\'s time zone, e.g. "Europe/London".', field="timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f'"{name}" is not a time zone I know. Use a name like "Europe/London" or "Europe/Dublin".', field="timezone"
        ) from None
    return name


def _validated(setup: CommitteeSetup, actor: Actor) -> CommitteeSetup:
    name = " ".join(setup.name.split())
    if not name:
        raise InvalidInput(
            (
                "Please give the committee a name, e.g. ",
                Command("committee", "setup Children and Families Overview and Scrutiny Committee"),
                ".",
            ),
            field="name",
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"Committee names can be at most {MAX_NAME_LENGTH} characters; this one has {len(name)}.", field="name"
        )
    clerks = tuple(dict.fromkeys((actor.user_id,) if setup.clerk_ids is None else setup.clerk_ids))
    if not clerks:
        raise InvalidInput(
            "Please choose at least one clerk: they open comment windows and keep the register.", field="clerks"
        )
    return CommitteeSetup(name, validate_timezone(setup.timezone), clerks, setup.chair_id)


async def set_up_committee(services: Services, actor: Actor, setup: CommitteeSetup) -> CommitteeSummary:
    """Create the channel's committee, or update it when one of its clerks runs set-up again."""
    setup = _validated(setup, actor)
    async with services.database.session() as session:
        try:
            committee, created = await _store_setup(services, session, actor, setup)
        except Conflict:
            await session.rollback()
            committee = await committee_in_channel(session, actor.workspace_id, actor.channel_id)
            if committee is None:
                raise
            if committee.created_by != actor.user_id:
                # Someone else's set-up of this channel got there first: nothing of this one was applied.
                raise await _set_up_by_others(services, session, committee, actor) from None
            created = True  # the same set-up delivered twice: the first delivery's answer
        clerks = tuple(await clerk_ids(session, committee.id))
    log.info(
        "committee %s %s in %s by %s",
        committee.id,
        "created" if created else "updated",
        actor.channel_id,
        actor.user_id,
    )
    return CommitteeSummary(
        committee.id,
        committee.name,
        committee.channel_id,
        committee.timezone,
        clerks,
        committee.chair_user_id,
        created,
    )


async def _store_setup(
    services: Services, session: Session, actor: Actor, setup: CommitteeSetup
) -> tuple[CommitteeView, bool]:
    await ensure_workspace(session, actor.workspace_id)
    existing = await committee_in_channel(session, actor.workspace_id, actor.channel_id)
    if existing is None:
        committee = await create_committee(
            session, actor.workspace_id, actor.channel_id, actor.user_id, setup.name, setup.timezone, setup.chair_id
        )
    elif not await _may_set_up(session, existing, actor.user_id):
        raise await _set_up_by_others(services, session, existing, actor)
    else:
        committee = await update_committee(session, existing.id, setup.name, setup.timezone, setup.chair_id)
    await replace_clerks(session, committee.id, setup.clerk_ids)
    await session.commit()
    return committee, existing is None


async def _may_set_up(session: Session, committee: CommitteeView, user_id: str) -> bool:
    """Its clerks may set it up again; so may anyone in its channel once it has none (its last clerk's personal
    data was erased), or nobody could ever run it again."""
    clerks = await clerk_ids(session, committee.id)
    return not clerks or user_id in clerks


async def _set_up_by_others(
    services: Services, session: Session, committee: CommitteeView, actor: Actor
) -> AlreadySetUp:
    log.warning("refused: %s is not a clerk of committee %s (tried to set it up)", actor.user_id, committee.id)
    clerks = await clerk_ids(session, committee.id)
    names = await services.directory.display_names(actor.workspace_id, clerks)
    return AlreadySetUp(committee.name, [names.get(clerk, clerk) for clerk in clerks])


async def current_setup(services: Services, actor: Actor) -> CommitteeSetup | None:
    """How the channel's committee is set up, or None where the channel is no committee."""
    async with services.database.session() as session:
        committee = await committee_in_channel(session, actor.workspace_id, actor.channel_id or "")
        if committee is None:
            return None
        clerks = tuple(await clerk_ids(session, committee.id))
    return CommitteeSetup(committee.name, committee.timezone, clerks, committee.chair_user_id)


async def clerks_committee_here(services: Services, actor: Actor, what: str) -> CommitteeView:
    """The channel's committee, if this person clerks it; refused otherwise, saying they may not do `what`."""
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, what)
    return committee


async def committee_here(session: Session, actor: Actor) -> CommitteeView:
    committee = await committee_in_channel(session, actor.workspace_id, actor.channel_id or "")
    if committee is None:
        raise NotACommitteeChannel()
    log_context.note_committee(committee.id)
    return committee


async def committee_here_for(session: Readable, actor: Actor) -> tuple[CommitteeView, bool]:
    """The committee of the channel asked in, and whether the person asking clerks it."""
    found = await committee_in_channel_for(session, actor.workspace_id, actor.channel_id or "", actor.user_id)
    if found is None:
        raise NotACommitteeChannel()
    log_context.note_committee(found[0].id)
    return found


async def asking_in_committee(services: Services, workspace_id: str, user_id: str, committee_id: int) -> Actor:
    """The person as if asking in a committee's channel, for a request that names the committee by its id (a file
    made again when its person accepts it), so that it passes the same checks as one made there."""
    async with services.database.session() as session:
        committee = (await committees_by_id(session, [committee_id])).get(committee_id)
    if committee is None or committee.workspace_id != workspace_id:
        raise NotFound("That committee is no longer here.")
    return Actor(workspace_id, user_id, committee.channel_id)


async def in_a_committee_they_clerk(services: Services, actor: Actor, named: str, what: str) -> Actor:
    """For a request made outside any committee's channel (a file sent in a person's chat with the bot, where
    Teams lets bots receive files): the person as asking in the committee they clerk, or the one `named` (part of
    its name) among several."""
    async with services.database.session() as session:
        clerked_ids = await committee_ids_clerked_by(session, actor.workspace_id, actor.user_id)
        clerked = sorted((await committees_by_id(session, clerked_ids)).values(), key=lambda c: c.name)
    if not clerked:
        log.warning("refused: %s clerks no committee (tried to %s)", actor.user_id, what)
        raise NotAClerk(what)
    wanted = named.strip().lower()
    chosen = clerked if len(clerked) == 1 else [c for c in clerked if wanted and wanted in c.name.lower()]
    if len(chosen) != 1:
        raise InvalidInput(
            f"You clerk {', '.join(c.name for c in clerked)}. Please send the file again with the committee's "
            f"name, e.g. minutes {clerked[0].name}."
        )
    log_context.note_committee(chosen[0].id)
    return Actor(actor.workspace_id, actor.user_id, chosen[0].channel_id)


async def is_clerk(session: Session, committee: CommitteeView, user_id: str) -> bool:
    return user_id in await clerk_ids(session, committee.id)


async def require_clerk(session: Session, committee: CommitteeView, actor: Actor, what: str) -> None:
    log_context.note_committee(committee.id)
    if not await is_clerk(session, committee, actor.user_id):
        log.warning("refused: %s is not a clerk of committee %s (tried to %s)", actor.user_id, committee.id, what)
        raise NotAClerk(what)


async def require_in_committee(
    services: Services, session: Session, committee: CommitteeView, actor: Actor, also: tuple[str | None, ...] = ()
) -> bool:
    """A committee's business is shown to its clerks and the people in its channel (and to `also`, such as the
    owner of a resolution), not to anyone in the workspace who presses a button carrying its id. Whether the person
    clerks it."""
    log_context.note_committee(committee.id)
    if await is_clerk(session, committee, actor.user_id):
        return True
    if actor.user_id not in also:
        await require_in_channel(services, committee, actor)
    return False


async def require_in_channel(services: Services, committee: CommitteeView, actor: Actor) -> None:
    """Someone known not to clerk the committee may see its business from its channel, and nowhere else."""
    if actor.user_id not in await services.directory.channel_members(committee.workspace_id, committee.channel_id):
        log.warning("refused: %s is not in committee %s, and asked to see its business", actor.user_id, committee.id)
        raise NotAllowed(
            "That belongs to a committee you are not a member of, so I can't show it. "
            "If you should be a member, ask a clerk to add you to the committee's channel."
        )


async def require_member(services: Services, committee: CommitteeView, actor: Actor) -> None:
    members = await services.directory.channel_members(committee.workspace_id, committee.channel_id)
    if actor.user_id not in members:
        log.warning("refused: %s is not a member of committee %s", actor.user_id, committee.id)
        raise NotAMember(committee.name)
