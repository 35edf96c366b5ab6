"""Domain errors. Each carries the polite sentence the person who caused it should read."""

from handlers.wording import Command, Words, joined


class UserFacingError(Exception):
    """A request that cannot be carried out and changes nothing; `message` is shown to its author.

    `field` names the input at fault (title, deadline, text, ...) so a form can show the message beside it;
    `choices`, where there are any, are answers for that field that would be accepted, to offer the person.
    """

    choices: tuple[str, ...] = ()

    def __init__(self, message: Words, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotACommitteeChannel(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            (
                "This channel isn't set up as a committee yet. A clerk can set it up with ",
                Command("committee", "setup <committee name>"),
                ".",
            )
        )


class NotAClerk(UserFacingError):
    def __init__(self, what: str) -> None:
        super().__init__(f"Only the committee's clerks can {what}. Please ask a clerk if you need this done.")


class AlreadySetUp(UserFacingError):
    def __init__(self, committee_name: str, clerk_names: list[str]) -> None:
        super().__init__(
            f"This channel is already set up as {committee_name}, so what you entered was not applied. "
            f"Only its clerks ({', '.join(clerk_names)}) can change its set-up."
        )


class NotAMember(UserFacingError):
    def __init__(self, committee_name: str) -> None:
        super().__init__(
            f"Only members of {committee_name} can comment on its reports. "
            "If you should be a member, ask a clerk to add you to the committee's channel."
        )


class NotAskedToComment(UserFacingError):
    """The receiving officer or a clerk trying to comment: comments are the members' views."""

    def __init__(self, role: str, title: str, ref: str) -> None:
        export = (Command("report", f"export {ref}"), " sends you what members have said so far.")
        if role == "officer":
            reason = f"You receive the comments on {title}, so you aren't asked to comment on it."
        else:
            reason = f"Clerks aren't asked to comment on {title}: the comments are the members' views."
        super().__init__(joined(f"{reason} ", export))


class InvalidInput(UserFacingError):
    """Text or a choice that cannot be accepted as given."""


class WindowClosed(UserFacingError):
    def __init__(self, title: str, closed_on: str) -> None:
        super().__init__(
            f"Comments on {title} closed on {closed_on}, so they can no longer be added or changed. "
            "If you need more time, ask the committee's clerk to reopen it."
        )


class NotFound(UserFacingError):
    """Something named in the request does not exist, or is not visible to its author."""


class NotAllowed(UserFacingError):
    """The author may not do this to someone else's item."""


class DeadlineNotUnderstood(UserFacingError):
    """A deadline that is unparseable, ambiguous or in the past; the message says what was understood."""

    def __init__(self, message: str, field: str = "deadline") -> None:
        super().__init__(message, field)
