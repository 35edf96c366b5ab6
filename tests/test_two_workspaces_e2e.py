"""Two councils' workspaces installed by OAuth into one database, with the same channel, people and report names
(Slack's ids are only unique within a workspace as far as the bot may assume): the main Slack stories run for both,
each answered with its own workspace's token, and nothing of one visible to or changeable from the other, however
its payloads are forged. On both databases."""

from datetime import UTC, datetime

import pytest
import time_machine

from bot.server import reminder_sending
from handlers.reminders import tick
from storage.models import (
    Comment,
    CommentRevision,
    CommentWindow,
    Committee,
    Resolution,
    ResolutionChange,
    ResolutionStatus,
)
from tests.flows import (
    FAST,
    buttons,
    comment_inline,
    on_ephemeral,
    open_window,
    record_resolution,
    reminder_kinds,
    reminder_posts,
    set_up_committee,
    shown_text,
    stored,
    submit_view,
)
from tests.installs_stack import oauth_settings, start_installs_stack
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER
from tests.support.slack_client import text_value, user_value

ALPHA, BETA = "TALPHA", "TBETA"
PATEL = MEMBERS[0]
REPORT = "annual-report-2021"  # the same report name in both councils
SECRET = "Alpha only: the children's home contract."


@pytest.fixture
async def councils(database):
    running = await start_installs_stack(database)
    for team in (ALPHA, BETA):
        assert (await running.install(team)).status == 200
        await set_up_committee(running.workspace(team), name=f"Council {team} Scrutiny Committee")
    yield running
    await running.stop()


def _made_by(councils, team: str) -> list:
    """The Web API calls made with `team`'s token."""
    return [call for call in councils.fake.calls if councils.fake.team_of(call) == team]


def _everything_said_to(councils, team: str) -> str:
    """What people in `team` could see: every call made with its token, and every response URL answer."""
    said = [str(call.params) for call in _made_by(councils, team)]
    return "\n".join(said + [str(body) for _, body in councils.fake.responses])


async def _comment(councils, team: str, text: str) -> dict:
    return await comment_inline(councils.workspace(team), PATEL, f"{REPORT} {text}")


async def _opened_view(councils, team: str) -> dict:
    [*_, opened] = await councils.fake.wait_for("views.open", where=lambda call: councils.fake.team_of(call) == team)
    return opened.params["view"]


async def test_comment_windows_announce_comment_edit_and_withdraw_in_both_workspaces(councils):
    for team in (ALPHA, BETA):
        await open_window(councils.workspace(team))
    announcements = [c for c in councils.fake.calls_to("chat.postMessage") if "Add comment" in str(c.params)]
    assert sorted(councils.fake.team_of(call) for call in announcements) == [ALPHA, BETA]

    receipts = {team: await _comment(councils, team, f"First thoughts from {team}") for team in (ALPHA, BETA)}
    for team in (ALPHA, BETA):
        councils.fake.reset()
        workspace = councils.workspace(team)
        comment_id = buttons(receipts[team])["Edit"]["value"]
        await workspace.slack.block_action(
            "comment.edit", comment_id, user_id=PATEL, channel_id=CHANNEL, container=on_ephemeral()
        )
        view = await _opened_view(councils, team)
        await submit_view(workspace, view, {"section": text_value(""), "text": text_value(f"Edited in {team}")}, PATEL)
    councils.fake.reset()
    await councils.workspace(BETA).slack.block_action(
        "comment.withdraw",
        buttons(receipts[BETA])["Edit"]["value"],
        user_id=PATEL,
        channel_id=CHANNEL,
        container=on_ephemeral(),
    )
    await councils.fake.wait_for_response()

    listed = {team: shown_text(await _comment(councils, team, "")) for team in (ALPHA, BETA)}
    own = {team: shown_text(await comment_inline(councils.workspace(team), PATEL, "list")) for team in (ALPHA, BETA)}
    assert "Edited in TALPHA" in own[ALPHA] and "TBETA" not in own[ALPHA]
    assert "Edited in TBETA" not in own[BETA] and "TALPHA" not in own[BETA]
    assert all("TBETA" not in text for text in (listed[ALPHA], own[ALPHA]))
    comments = {c.text: c for c in await stored(councils.workspace(ALPHA), Comment)}
    assert comments["Edited in TALPHA"].withdrawn_at is None
    assert comments["Edited in TBETA"].withdrawn_at is not None
    assert len(await stored(councils.workspace(ALPHA), CommentRevision)) == 5  # 2 created, 2 edited, 1 withdrawn


async def test_the_register_lists_closes_reassigns_and_redates_in_both_workspaces(councils):
    await record_resolution(councils.workspace(ALPHA), SECRET, due="1 June 2041")
    await record_resolution(councils.workspace(BETA), "Beta: resurface the bus station.", due="1 June 2041")
    alpha_id, beta_id = (r.id for r in sorted(await stored(councils.workspace(ALPHA), Resolution), key=_id))

    listings = {}
    for team in (ALPHA, BETA):
        reply = await councils.workspace(team).slack.slash_command("/actions", "", user_id=CLERK, channel_id=CHANNEL)
        listings[team] = shown_text(reply.json())
    assert SECRET in listings[ALPHA] and "bus station" not in listings[ALPHA]
    assert "bus station" in listings[BETA] and SECRET not in listings[BETA]

    alpha, beta = councils.workspace(ALPHA), councils.workspace(BETA)
    councils.fake.reset()
    await alpha.slack.block_action("action.done", str(alpha_id), user_id=CLERK, channel_id=CHANNEL)
    await submit_view(alpha, await _opened_view(councils, ALPHA), {"note": text_value("Done in Alpha.")}, CLERK)
    councils.fake.reset()
    await beta.slack.block_action("action.reassign", str(beta_id), user_id=CLERK, channel_id=CHANNEL)
    await submit_view(
        beta,
        await _opened_view(councils, BETA),
        {"owner_user_id": user_value(OFFICER), "owner_title": text_value("")},
        CLERK,
    )
    councils.fake.reset()
    await beta.slack.block_action("action.redate", str(beta_id), user_id=CLERK, channel_id=CHANNEL)
    await submit_view(beta, await _opened_view(councils, BETA), {"due": text_value("30 September 2041")}, CLERK)

    resolutions = {r.id: r for r in await stored(alpha, Resolution)}
    assert resolutions[alpha_id].status == ResolutionStatus.DONE and resolutions[alpha_id].owner_user_id is None
    assert resolutions[beta_id].status == ResolutionStatus.OPEN and resolutions[beta_id].owner_user_id == OFFICER
    history = sorted(await stored(alpha, ResolutionChange), key=_id)
    assert [(c.resolution_id, c.action) for c in history if c.action != "created"] == [
        (alpha_id, "done"),
        (beta_id, "reassigned"),
        (beta_id, "redated"),
    ]


async def test_reminders_go_to_each_workspace_with_its_own_token_and_its_own_report(councils):
    opened = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
    with time_machine.travel(opened, tick=True):
        for team in (ALPHA, BETA):
            await open_window(councils.workspace(team), f"Draft annual report 2021/22 of {team}", "31 March 2026")
    services, sender = reminder_sending(oauth_settings(councils.fake), councils.database)

    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=UTC), tick=False):
        await tick(services, sender, "scheduler", FAST)

    posts = reminder_posts(councils.workspace(ALPHA))
    assert reminder_kinds(posts) == ["window.week", "window.week"]
    by_team = {councils.fake.team_of(post): shown_text(post.params) for post in posts}
    assert "of TALPHA" in by_team[ALPHA] and "TBETA" not in by_team[ALPHA]
    assert "of TBETA" in by_team[BETA] and "TALPHA" not in by_team[BETA]


async def test_forged_payloads_carrying_the_other_workspaces_ids_see_and_change_nothing(councils):
    alpha, beta = councils.workspace(ALPHA), councils.workspace(BETA)
    window_id = await open_window(alpha)
    await open_window(beta)
    receipt = await _comment(councils, ALPHA, SECRET)
    comment_id = buttons(receipt)["Edit"]["value"]
    await record_resolution(alpha, SECRET, due="1 June 2041")
    [resolution] = await stored(alpha, Resolution)
    await set_up_committee(alpha, name="Alpha Audit Committee", channel="CALPHAAUDIT")
    councils.fake.reset()
    await alpha.slack.block_action(
        "comment.edit", comment_id, user_id=PATEL, channel_id=CHANNEL, container=on_ephemeral()
    )
    alphas_edit_form = await _opened_view(councils, ALPHA)
    councils.fake.reset()
    before = await _alpha_state(councils)

    forged_buttons = [
        ("comment.edit", comment_id),
        ("comment.withdraw", comment_id),
        ("action.done", str(resolution.id)),
        ("action.cancel", str(resolution.id)),
        ("action.reassign", str(resolution.id)),
        ("action.redate", str(resolution.id)),
        ("action.more", str(resolution.id)),
        ("action.history", str(resolution.id)),
        ("comment.add", str(window_id)),
    ]
    for action_id, value in forged_buttons:
        for person in (PATEL, CLERK):
            reply = await beta.slack.block_action(
                action_id, value, user_id=person, channel_id=CHANNEL, container=on_ephemeral()
            )
            assert reply.status == 200
    for form in beta_views(councils):
        await submit_view(beta, form, {"note": text_value("Forged.")}, CLERK)
    forged_edit = await submit_view(beta, alphas_edit_form, {"section": text_value(""), "text": text_value("x")}, PATEL)
    assert forged_edit.status == 200
    for command, text in [("/actions", ""), ("/report", f"export {REPORT}"), ("/comment", "list"), ("/meeting", "")]:
        await beta.slack.slash_command(command, text, user_id=CLERK, channel_id="CALPHAAUDIT")
    await beta.slack.slash_command("/comment", f"{REPORT} Forged from Beta", user_id=PATEL, channel_id="CALPHAAUDIT")
    await beta.bot.delivery.drain()

    assert await _alpha_state(councils) == before
    assert SECRET not in _everything_said_to(councils, BETA)
    assert _made_by(councils, ALPHA) == []  # nothing Beta did was said in Alpha
    # Beta's member commented on the report of that name in Beta (their own), never on Alpha's.
    [forged] = [c for c in await stored(beta, Comment) if c.text == "Forged from Beta"]
    assert forged.window_id != window_id


def beta_views(councils) -> list[dict]:
    """Forms Beta's forged buttons managed to open (there should be none about Alpha's things)."""
    return [call.params["view"] for call in councils.fake.calls_to("views.open") if councils.fake.team_of(call) == BETA]


async def _alpha_state(councils) -> tuple:
    alpha = councils.workspace(ALPHA)
    committees = [c for c in await stored(alpha, Committee) if c.workspace_id == ALPHA]
    ids = {c.id for c in committees}
    resolutions = [r for r in await stored(alpha, Resolution) if r.committee_id in ids]
    windows = {w.id for w in await stored(alpha, CommentWindow) if w.committee_id in ids}
    comments = [c for c in await stored(alpha, Comment) if c.window_id in windows]
    revisions = [r for r in await stored(alpha, CommentRevision) if r.comment_id in {c.id for c in comments}]
    changes = [c for c in await stored(alpha, ResolutionChange) if c.resolution_id in {r.id for r in resolutions}]
    return (
        sorted((c.id, c.name) for c in committees),
        sorted((r.id, r.status, r.owner_user_id, r.due_date) for r in resolutions),
        sorted((c.id, c.text, c.withdrawn_at) for c in comments),
        sorted((r.comment_id, r.number, r.action, r.text) for r in revisions),
        sorted((c.id, c.action) for c in changes),
    )


def _id(row) -> int:
    return row.id


async def test_each_members_home_tab_shows_only_their_own_workspaces_reports_and_comments(councils):
    for team in (ALPHA, BETA):
        await open_window(councils.workspace(team), f"Draft annual report 2021/22 of {team}")
        await _comment(councils, team, f"Home thoughts from {team}")
    councils.fake.reset()

    for team in (ALPHA, BETA):
        event = {"type": "app_home_opened", "user": PATEL, "channel": "DHOME", "tab": "home"}
        assert (await councils.workspace(team).slack.event(event)).status == 200
    published = await councils.fake.wait_for("views.publish", count=2)

    homes = {councils.fake.team_of(call): str(call.params["view"]) for call in published}
    assert "of TALPHA" in homes[ALPHA] and "TBETA" not in homes[ALPHA]
    assert "of TBETA" in homes[BETA] and "TALPHA" not in homes[BETA]
