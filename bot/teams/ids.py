"""Which ids are Teams' own: the bot serves Slack and Teams committees from one database, and a reminder's target
or a workspace id says by its form which platform it belongs to."""

import re

# A Microsoft tenant id: a GUID (a Slack team id is T followed by capitals and digits).
TENANT = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
# A person in a conversation: "29:" and an opaque id; "8:orgid:" is the older form Teams still sends at times.
PERSON_PREFIXES = ("29:", "8:orgid:")
# A channel, group chat or meeting chat: "19:...@thread.tacv2", "19:...@thread.skype", "19:meeting_...@thread.v2".
PLACE = re.compile(r"^19:.+@thread\.[a-z0-9.]+$")


def is_teams_workspace(workspace_id: str) -> bool:
    return bool(TENANT.match(workspace_id))


def is_teams_person(target: str) -> bool:
    return target.startswith(PERSON_PREFIXES)


def is_teams_target(target: str) -> bool:
    """A place or a person in Teams, as a reminder's target names them."""
    return is_teams_person(target) or bool(PLACE.match(target))
