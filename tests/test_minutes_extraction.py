"""Resolutions read from minutes the way a clerk reads them: the decision block only, with kind, owner and due.

Still not handled (each comes back wrong or incomplete, for the clerk to correct in the confirm form; the
issue 12 reading of whole meetings' minutes is tested in test_minutes_reading.py):
- a standing arrangement agreed for future years ("it was agreed to use the final meeting of the year as a
  review session in future years") is read as an action, not noted;
- a reason clause can set the kind: "call-in is not appropriate as the report will be submitted to the
  Executive Overview & Scrutiny Committee on 30 March 2017" is read as a report back due that day;
- a decision whose subject is a pronoun ("He agreed the recommendation as set out") is not read;
- a period counted from an event ("within six months of adoption of the Strategy") is counted from the meeting;
- a recommendation onward names the body it goes to as owner, with a doubt, where a clerk may name no one;
- in a paste without line breaks, an agenda item's number and title often run into its text and are not found,
  so the resolutions there are not tagged with their item;
- a list of decisions that does not start at its first item ("3. That ...") is not taken without a heading,
  since "49. The minutes were approved" is more often a minute's own number;
- Word's automatic list numbering is not in the document's text, so .docx items come through as bullets.
"""

from datetime import date
from pathlib import Path

import pytest

from handlers.minutes import ExtractedResolution, ResolutionKind, extract_resolutions

FIXTURES = Path(__file__).parent / "fixtures"
MEETING = date(2022, 9, 6)
NOTED, ACTION, COMMENT, REPORT_BACK = (
    ResolutionKind.NOTED,
    ResolutionKind.ACTION,
    ResolutionKind.COMMENT_DEADLINE,
    ResolutionKind.REPORT_BACK,
)
NO_OWNER = "I couldn't tell who owns this."


def extract(minutes: str, meeting: date = MEETING) -> list[ExtractedResolution]:
    return extract_resolutions(minutes, meeting)


def only(minutes: str, meeting: date = MEETING) -> ExtractedResolution:
    resolutions = extract(minutes, meeting)
    assert len(resolutions) == 1, [r.text for r in resolutions]
    return resolutions[0]


def summary(resolution: ExtractedResolution) -> tuple:
    return resolution.kind, resolution.owner, resolution.due_date, resolution.due_rule


# --- The two real minutes the bot was built from ---------------------------------------------------


def test_leicestershire_cfos_minute_gives_the_noting_and_the_comment_window() -> None:
    minutes = (FIXTURES / "leicestershire-cfos-2022-09-06-minute-extract.txt").read_text(encoding="utf-8")

    noted, comments = extract(minutes, date(2022, 9, 6))

    assert noted.kind == NOTED
    assert noted.marker == "a)"
    assert noted.text.startswith("That the draft annual report assessing the impact")
    assert noted.text.endswith("Leicestershire and Rutland be noted.")
    assert (noted.owner, noted.due_date, noted.due_rule, noted.doubts) == (None, None, None, ())
    assert comments.kind == COMMENT
    assert comments.marker == "b)"
    assert comments.due_date == date(2022, 9, 20)
    assert comments.due_rule is None
    assert comments.owner == "Director of, and Cabinet Lead Member for, Children and Family Services"
    assert comments.respondents == "Members of the Children and Families Overview and Scrutiny Committee"
    assert comments.doubts == ()


def test_leicester_lscpb_minute_takes_the_closing_numbered_list_despite_no_heading() -> None:
    minutes = (FIXTURES / "leicester-lscpb-annual-report-2019-20-minute.txt").read_text(encoding="utf-8")

    notes, report, recognises = extract(minutes, date(2020, 12, 3))

    assert (notes.marker, notes.text, notes.kind) == ("1.", "That the Commission notes the report.", NOTED)
    assert report.marker == "2."
    assert summary(report) == (REPORT_BACK, "task and finish group focusing on mental health", None, "future meeting")
    assert "bought back" in report.text
    assert (recognises.marker, recognises.kind) == ("3.", NOTED)
    assert recognises.text == "The Commission recognises the good work of the partnership."


# --- One resolution, many phrasings ----------------------------------------------------------------

SINGLE_RESOLUTIONS = [
    # Headings and items that only record a decision.
    pytest.param("RESOLVED that the report be noted.", NOTED, None, None, None, id="RESOLVED that ... noted"),
    pytest.param("RESOLVED:\nThat the report be noted.", NOTED, None, None, None, id="RESOLVED: then That"),
    pytest.param("Resolved \u2013 That the update be received.", NOTED, None, None, None, id="Resolved en dash"),
    pytest.param("RESOLVED - That the Commission endorses the approach set out in the report.",
                 NOTED, None, None, None, id="RESOLVED hyphen endorses"),
    pytest.param("Resolved: That the report be noted.", NOTED, None, None, None, id="Resolved: mixed case"),
    pytest.param("AGREED: That the Committee welcomes the progress made.", NOTED, None, None, None, id="AGREED:"),
    pytest.param("AGREED that the revised Terms of Reference be approved.", NOTED, None, None, None,
                 id="AGREED that ... approved, nothing further"),
    pytest.param("DECISION:\nThe Cabinet approved the Medium Term Financial Strategy 2023-2027.",
                 NOTED, None, None, None, id="DECISION: past tense approval"),
    pytest.param("RESOLVED (unanimously): That the motion be supported.", NOTED, None, None, None,
                 id="RESOLVED (unanimously)"),
    pytest.param("RESOLVED: That the minutes of the meeting held on 5 July 2022 be confirmed as a correct record "
                 "and signed by the Chairman.", NOTED, None, None, None, id="minutes confirmed, date not a due"),
    pytest.param("RESOLVED: That the Committee's thanks to the outgoing Chairman be recorded.",
                 NOTED, None, None, None, id="thanks recorded"),
    pytest.param("RESOLVED: That the Committee welcomes the report and thanks officers for their work.",
                 NOTED, None, None, None, id="welcomes and thanks officers"),
    pytest.param("RESOLVED: That the Board receives the Annual Report of the Director of Public Health 2022.",
                 NOTED, None, None, None, id="receives the annual report"),
    # Someone must act.
    pytest.param("The Committee RESOLVED that the Chief Executive be requested to write to the Secretary of State "
                 "setting out the Committee's concerns.", ACTION, "Chief Executive", None, None,
                 id="The Committee RESOLVED that ... be requested to write"),
    pytest.param("It was RESOLVED that officers be asked to arrange a site visit for Members before the end of "
                 "October.", ACTION, "officers", date(2022, 10, 31), None, id="It was RESOLVED, end of October"),
    pytest.param("RESOLVED that the Committee asks the Cabinet Member for Highways to reconsider the proposed "
                 "parking charges.", ACTION, "Cabinet Member for Highways", None, None, id="asks X to"),
    pytest.param("RESOLVED: That the Committee approves the scheme and authorises the Director of Law and "
                 "Governance to enter into the necessary agreements.", ACTION, "Director of Law and Governance",
                 None, None, id="approves and authorises X to"),
    pytest.param("RESOLVED: That delegated authority be given to the Chief Fire Officer, in consultation with the "
                 "Chairman, to agree the final wording of the response.", ACTION, "Chief Fire Officer", None, None,
                 id="delegated authority, in consultation"),
    pytest.param("RESOLVED that the Chairman write to the Chief Constable to express the Committee's thanks.",
                 ACTION, "Chairman", None, None, id="the Chairman write to"),
    pytest.param("RESOLVED: That the contents of the report be noted and that officers circulate the briefing "
                 "note to all Members.", ACTION, "officers", None, None, id="noted and that officers circulate"),
    pytest.param("RESOLVED: That officers be asked to publish the revised timetable within 28 days.",
                 ACTION, "officers", date(2022, 10, 4), "within 28 days", id="within 28 days"),
    pytest.param("RESOLVED: That the Head of Finance be requested to complete the review by the end of the "
                 "financial year.", ACTION, "Head of Finance", date(2023, 3, 31), None, id="end of financial year"),
    pytest.param("RESOLVED: That the Director of Children's Services be requested to provide Members with a "
                 "briefing note on school place planning by 31st October 2022.", ACTION,
                 "Director of Children's Services", date(2022, 10, 31), None, id="31st October 2022"),
    pytest.param("RESOLVED: That the Monitoring Officer be instructed to investigate the complaint and report to "
                 "the Standards Committee.", ACTION, "Monitoring Officer", None, None, id="be instructed to"),
    pytest.param("DECISION:\nThat Cabinet approves the Medium Term Financial Strategy and requests the Director of "
                 "Finance to publish it by 1 October 2022.", ACTION, "Director of Finance", date(2022, 10, 1), None,
                 id="DECISION approves and requests X to publish"),
    # Recommendations go to the body that must decide.
    pytest.param("RECOMMENDED to Cabinet that the revised Fees and Charges Policy be approved.",
                 ACTION, "Cabinet", None, None, id="RECOMMENDED to Cabinet that"),
    pytest.param("RECOMMENDED to Council:\nThat the Members' Allowances Scheme 2023/24 be adopted.",
                 ACTION, "Council", None, None, id="RECOMMENDED to Council:"),
    pytest.param("RESOLVED: That it be recommended to Cabinet that the Library Strategy be approved.",
                 ACTION, "Cabinet", None, None, id="it be recommended to Cabinet"),
    # Reports to come back.
    pytest.param("RESOLVED: That the Director of Environment and Transport be requested to submit a further report "
                 "to the next meeting of the Committee.", REPORT_BACK, "Director of Environment and Transport",
                 None, "next meeting", id="further report to the next meeting"),
    pytest.param("RESOLVED: That a further report be brought back to a future meeting of the Commission.",
                 REPORT_BACK, None, None, "future meeting", id="brought back to a future meeting"),
    pytest.param("RESOLVED: That an update on the action plan be bought back to the Committee in six months' time.",
                 REPORT_BACK, None, date(2023, 3, 6), "in six months' time", id="typo bought back, six months' time"),
    pytest.param("RESOLVED: That the Director of Adults and Communities report back to the Committee within six "
                 "months on the outcome of the consultation.", REPORT_BACK, "Director of Adults and Communities",
                 date(2023, 3, 6), "within six months", id="report back within six months"),
    pytest.param("RESOLVED: That the Scrutiny Commission receive a further report on progress in 12 months' time.",
                 REPORT_BACK, None, date(2023, 9, 6), "in 12 months' time", id="in 12 months' time"),
    pytest.param("RESOLVED: That the Director of Corporate Resources be requested to review the charging policy and "
                 "report back by the end of March 2023.", REPORT_BACK, "Director of Corporate Resources",
                 date(2023, 3, 31), None, id="report back by the end of March 2023"),
    pytest.param("RESOLVED: That the Task Group report its findings to the Committee within a year.",
                 REPORT_BACK, "Task Group", date(2023, 9, 6), "within a year", id="report its findings within a year"),
    pytest.param("RESOLVED: That the Director of Housing be asked to provide a progress report in three months.",
                 REPORT_BACK, "Director of Housing", date(2022, 12, 6), "in three months", id="progress report"),
    pytest.param("RESOLVED: That the Panel notes the performance report and requests that the Head of Service "
                 "provides an update on sickness absence to the next meeting.", REPORT_BACK, "Head of Service",
                 None, "next meeting", id="requests that X provides an update"),
    pytest.param("AGREED: That a report on the outcome of the review be submitted to a future meeting.",
                 REPORT_BACK, None, None, "future meeting", id="report submitted to a future meeting"),
    pytest.param("RESOLVED: That the Commission requests a report from the Strategic Director of City "
                 "Development to its next meeting.", REPORT_BACK, "Strategic Director of City Development",
                 None, "next meeting", id="requests a report from X to its next meeting"),
    pytest.param("RESOLVED: That the Board receive an update to the November meeting.", REPORT_BACK, None,
                 date(2022, 11, 30), "November meeting", id="to the November meeting"),
    # Views to be sent by a deadline.
    pytest.param("RESOLVED: That Members submit any further comments on the draft Local Plan to the Head of "
                 "Planning no later than 20/09/2022.", COMMENT, "Head of Planning", date(2022, 9, 20), None,
                 id="no later than 20/09/2022"),
    pytest.param("AGREED: That members of the Panel send their comments on the draft strategy to the Democratic "
                 "Services Officer by 20th Sept 2022.", COMMENT, "Democratic Services Officer", date(2022, 9, 20),
                 None, id="20th Sept 2022"),
    pytest.param("RESOLVED that Members be invited to provide feedback on the draft consultation response to the "
                 "Chairman by Friday 30 September 2022.", COMMENT, "Chairman", date(2022, 9, 30), None,
                 id="feedback by Friday 30 September 2022"),
    pytest.param("RESOLVED: That the Committee asks Members to email their observations to the Scrutiny Officer "
                 "by 3.10.2022.", COMMENT, "Scrutiny Officer", date(2022, 10, 3), None, id="dotted date 3.10.2022"),
    # Less common wordings.
    pytest.param("RESOLVED: That the matter be referred to Cabinet for consideration.", ACTION, "Cabinet", None,
                 None, id="referred to Cabinet"),
    pytest.param("RESOLVED: That consideration of the item be deferred until the next meeting.", REPORT_BACK, None,
                 None, "next meeting", id="deferred until the next meeting"),
    pytest.param("AGREED: The Panel agreed to hold an additional meeting on 15 November 2022.", ACTION, "Panel",
                 date(2022, 11, 15), None, id="AGREED: The Panel agreed to hold"),
    pytest.param("RESOLVED: That the Commission's comments, as set out above, be forwarded to the Executive.",
                 ACTION, None, None, None, id="the committee's own comments forwarded"),
    pytest.param("RESOLVED: That the Council's response to the consultation be approved and submitted to the "
                 "Department for Education by 30th September 2022.", ACTION, None, date(2022, 9, 30), None,
                 id="approved and submitted by"),
    pytest.param("RESOLVED that the Strategic Director, Social Care and Education, be requested to update the "
                 "Commission at its February 2023 meeting.", REPORT_BACK,
                 "Strategic Director, Social Care and Education", date(2023, 2, 28), "February 2023 meeting",
                 id="update the Commission at its February 2023 meeting"),
    pytest.param("RESOLVED: That officers report back by September 20, 2022.", REPORT_BACK, "officers",
                 date(2022, 9, 20), None, id="month-first date with comma"),
]  # fmt: skip


@pytest.mark.parametrize(("minutes", "kind", "owner", "due_date", "due_rule"), SINGLE_RESOLUTIONS)
def test_one_resolution_is_read_as_a_clerk_would(minutes, kind, owner, due_date, due_rule) -> None:
    resolution = only(minutes)

    assert summary(resolution) == (kind, owner, due_date, due_rule)
    assert (NO_OWNER in resolution.doubts) == (owner is None and kind in (ACTION, REPORT_BACK))


def test_a_report_back_with_no_author_says_so() -> None:
    resolution = only("RESOLVED that the Committee requests an update on the recruitment campaign at its next meeting.")

    assert summary(resolution) == (REPORT_BACK, None, None, "next meeting")
    assert resolution.doubts == (NO_OWNER,)
    assert resolution.confidence < 0.9


def test_comments_without_a_named_respondent_or_a_year() -> None:
    resolution = only(
        "RESOLVED: That comments on the draft Budget be submitted to the Director of Finance by 14 January."
    )

    assert summary(resolution) == (COMMENT, "Director of Finance", date(2023, 1, 14), None)
    assert resolution.respondents is None
    assert resolution.doubts == ("I couldn't tell who is asked for views.",)


def test_comment_request_without_a_deadline_asks_for_one() -> None:
    resolution = only("RESOLVED: That Members be asked to send their views on the draft Plan to the Clerk.")

    assert (resolution.kind, resolution.owner, resolution.respondents) == (COMMENT, "Clerk", "Members")
    assert resolution.doubts == ("I couldn't find the deadline for views.",)


def test_a_vague_season_is_taken_as_its_last_day_with_a_doubt() -> None:
    resolution = only("RESOLVED: That the Director of Public Health be asked to report back in spring 2023.")

    assert summary(resolution) == (REPORT_BACK, "Director of Public Health", date(2023, 5, 31), None)
    assert resolution.doubts == ("The date 'spring 2023' is vague; I took 31 May 2023.",)


def test_a_meeting_named_by_its_month_is_dated_at_the_end_of_that_month_with_a_doubt() -> None:
    resolution = only(
        "RESOLVED: That the Head of Housing Services present an update to the March 2023 meeting of the Committee."
    )

    assert summary(resolution) == (REPORT_BACK, "Head of Housing Services", date(2023, 3, 31), "March 2023 meeting")
    assert resolution.doubts == ("The date 'March 2023' has no day; I took 31 March 2023.",)


def test_a_date_before_the_meeting_is_kept_but_questioned() -> None:
    resolution = only("RESOLVED: That officers be asked to circulate the action log by 30 August 2022.")

    assert resolution.due_date == date(2022, 8, 30)
    assert resolution.doubts == (
        "The date '30 August 2022' is before the meeting on 6 September 2022; please check it.",
    )


def test_an_impossible_date_is_reported_not_guessed() -> None:
    resolution = only("RESOLVED: That officers be asked to circulate the action log by 31 June 2023.")

    assert resolution.due_date is None
    assert "I couldn't read '31 June 2023' as a date." in resolution.doubts


def test_the_deadline_is_the_date_after_by_not_the_date_of_the_earlier_meeting() -> None:
    resolution = only(
        "RESOLVED: That, further to the meeting on 5 July 2022, the Clerk be asked to circulate the revised "
        "protocol by 16 September 2022."
    )

    assert (resolution.kind, resolution.owner, resolution.due_date) == (ACTION, "Clerk", date(2022, 9, 16))
    assert resolution.doubts == ()


def test_a_resolution_of_no_recognisable_kind_is_an_action_with_doubts() -> None:
    resolution = only("RESOLVED: That the Library Service pilots Sunday opening at two branches.")

    assert resolution.kind == ACTION
    assert resolution.doubts == (
        "I couldn't tell what kind of resolution this is, so I took it as an action.",
        NO_OWNER,
    )
    assert resolution.confidence <= 0.55


def test_a_resolution_that_runs_on_too_long_is_flagged() -> None:
    minutes = "RESOLVED:\na) That the report be noted and\n" + "the discussion continued at length and\n" * 100

    resolution = only(minutes)

    assert resolution.kind == NOTED
    assert resolution.doubts == (
        "This is longer than the 3,000 characters a resolution may have; please check where it ends.",
    )


# --- Blocks of several resolutions ----------------------------------------------------------------


def test_lettered_items_with_wrapped_lines() -> None:
    minutes = """RESOLVED:
(a) That the report on the Council's response to the cost of living
crisis be noted;
(b) That the Director of Communities be requested to write to local
foodbanks setting out the support available; and
(c) That a further report be submitted to the next meeting of the
Committee.
"""
    noted, action, report = extract(minutes)

    assert [r.marker for r in (noted, action, report)] == ["(a)", "(b)", "(c)"]
    assert noted.text == "That the report on the Council's response to the cost of living crisis be noted"
    assert summary(action) == (ACTION, "Director of Communities", None, None)
    assert action.text.endswith("setting out the support available")
    assert summary(report) == (REPORT_BACK, None, None, "next meeting")


@pytest.mark.parametrize(
    ("first", "second", "third"),
    [
        pytest.param("(i)", "(ii)", "(iii)", id="(i) (ii) (iii)"),
        pytest.param("i.", "ii.", "iii.", id="i. ii. iii."),
        pytest.param("1)", "2)", "3)", id="1) 2) 3)"),
        pytest.param("1.", "2.", "3.", id="1. 2. 3."),
        pytest.param("a.", "b.", "c.", id="a. b. c."),
        pytest.param("\u2022", "\u2022", "\u2022", id="bullets"),
    ],
)
def test_every_common_list_marker(first: str, second: str, third: str) -> None:
    minutes = (
        f"RESOLVED that:\n{first} the report be noted;\n"
        f"{second} the Head of Waste Services be asked to arrange a litter pick in the town centre;\n"
        f"{third} comments be sent to the Head of Waste Services by 30 September 2022."
    )
    noted, action, comments = extract(minutes)

    assert [r.marker for r in (noted, action, comments)] == [first, second, third]
    assert noted.text == "That the report be noted"
    assert summary(action) == (ACTION, "Head of Waste Services", None, None)
    assert summary(comments) == (COMMENT, "Head of Waste Services", date(2022, 9, 30), None)


def test_items_run_together_on_one_line() -> None:
    minutes = "RESOLVED: (a) That the report be noted; and (b) That the Chair write to the Minister."

    noted, action = extract(minutes)
    assert (noted.marker, noted.text, noted.kind) == ("(a)", "That the report be noted", NOTED)
    assert (action.marker, summary(action)) == ("(b)", (ACTION, "Chair", None, None))


def test_numbered_items_separated_by_blank_lines() -> None:
    minutes = "Resolved \u2013\n\n1. That the report be noted.\n\n2. That the Chair write to the Minister.\n\n"

    assert [summary(r) for r in extract(minutes)] == [(NOTED, None, None, None), (ACTION, "Chair", None, None)]


def test_unmarked_that_paragraphs_are_separate_resolutions() -> None:
    minutes = (
        "RESOLVED:\nThat the report be noted.\nThat the Clerk be asked to circulate the presentation slides.\n\n"
        "That the Committee's thanks to the Youth Council be recorded.\n"
    )
    kinds = [(r.kind, r.owner, r.marker) for r in extract(minutes)]

    assert kinds == [(NOTED, None, None), (ACTION, "Clerk", None), (NOTED, None, None)]


def test_sub_items_carry_the_stem_that_names_the_owner() -> None:
    minutes = """RESOLVED:
(a) That the report be noted;
(b) That the Director of Environment be requested to:
    (i) write to the Environment Agency about the flooding at Mill Lane;
    (ii) report back to the next meeting.
(c) That the Committee's thanks be recorded.
"""
    noted, write, report, thanks = extract(minutes)

    assert noted.marker == "(a)" and thanks.marker == "(c)"
    assert write.marker == "(b)(i)"
    assert write.text == (
        "That the Director of Environment be requested to write to the Environment Agency about the flooding at "
        "Mill Lane"
    )
    assert summary(write) == (ACTION, "Director of Environment", None, None)
    assert summary(report) == (REPORT_BACK, "Director of Environment", None, "next meeting")
    assert thanks.kind == NOTED


def test_the_committee_stem_before_lettered_decisions() -> None:
    minutes = "RESOLVED that the Committee:\na) notes the report;\nb) requests a further report in six months."
    notes, report = extract(minutes)

    assert notes.text == "That the Committee notes the report"
    assert summary(report) == (REPORT_BACK, None, date(2023, 3, 6), "in six months")


def test_markers_alone_on_their_lines() -> None:
    minutes = "RESOLVED:\na)\n\nThat the report be noted.\nb)\n\nThat officers be asked to arrange a briefing.\n"

    assert [summary(r) for r in extract(minutes)] == [(NOTED, None, None, None), (ACTION, "officers", None, None)]


def test_a_page_number_inside_a_wrapped_item_is_dropped() -> None:
    minutes = "RESOLVED:\na) That the Clerk be asked to circulate the\n\n28\n\nrevised protocol to all Members.\n"

    assert only(minutes).text == "That the Clerk be asked to circulate the revised protocol to all Members."


def test_several_agenda_items_each_with_its_own_block() -> None:
    minutes = """
7. BUDGET MONITORING 2022/23
The Director of Finance presented the report. Members asked about the overspend.
RESOLVED: That the report be noted.

8. LIBRARY STRATEGY
Members were broadly supportive.
RESOLVED: That the Head of Libraries be requested to report back to a future meeting.

9. WORK PROGRAMME
RESOLVED: That the work programme be approved.
"""
    assert [summary(r) for r in extract(minutes)] == [
        (NOTED, None, None, None),
        (REPORT_BACK, "Head of Libraries", None, "future meeting"),
        (NOTED, None, None, None),
    ]


def test_the_block_ends_at_the_reasons_for_the_decision() -> None:
    minutes = (
        "DECISION\n1. That the Executive Director of Place be authorised to award the contract.\n"
        "Reason for decision\n1. That the tender offered the best value to the Council.\n"
    )

    assert summary(only(minutes)) == (ACTION, "Executive Director of Place", None, None)


def test_the_block_ends_at_the_next_agenda_heading() -> None:
    minutes = (
        "RESOLVED:\n1. That the report be noted.\n2. That the Chair write to the Police and Crime Commissioner.\n\n"
        "3. DATE OF NEXT MEETING\nThe next meeting will be held on 5 October 2022.\n"
    )

    assert [r.marker for r in extract(minutes)] == ["1.", "2."]


@pytest.mark.parametrize(
    "after",
    [
        pytest.param("The Chairman then closed the meeting at 4.15 pm.", id="narrative sentence"),
        pytest.param("Medium Term Financial Strategy", id="title-case agenda heading"),
        pytest.param("\n12. MEDIUM TERM FINANCIAL STRATEGY", id="numbered capitals heading"),
    ],
)
def test_the_block_ends_where_the_minute_moves_on(after: str) -> None:
    resolution = only(f"RESOLVED:\na) That the report be noted.\n{after}\nThe Director presented the report.\n")

    assert resolution.text == "That the report be noted."


def test_recommended_to_cabinet_after_a_resolved_block() -> None:
    minutes = (
        "RESOLVED:\nThat the report be noted.\n"
        "RECOMMENDED to Cabinet that:\n(a) the charging policy be revised;\n(b) the revised policy be published."
    )
    noted, revise, publish = extract(minutes)

    assert noted.kind == NOTED
    assert [summary(r) for r in (revise, publish)] == [(ACTION, "Cabinet", None, None)] * 2


# --- What is not a resolution ---------------------------------------------------------------------

DISCUSSION = """The Director of Adults and Health presented the report. Arising from discussion, the following
points were made:
i.
Members asked that officers be requested to write to the Minister; the Director agreed to report back
to a future meeting.
ii.
The Chairman welcomed comments and asked that they be submitted by 20 September 2022.

\u2022 It was noted that a further report would be brought back to the Committee.
\u2022 Members agreed that the issue had been resolved.
1. The Committee noted that the budget was balanced.
"""


def test_discussion_alone_has_no_resolutions() -> None:
    assert extract(DISCUSSION) == []


def test_discussion_above_the_decision_block_is_ignored() -> None:
    resolution = only(DISCUSSION + "RESOLVED:\nThat the report be noted.\n")

    assert resolution.text == "That the report be noted."


@pytest.mark.parametrize("minutes", ["", "   \n\n", "Present: Councillor Smith (Chairman)\nApologies: none."])
def test_minutes_without_a_decision(minutes: str) -> None:
    assert extract(minutes) == []


def test_a_closing_list_that_is_not_decisions_is_not_taken() -> None:
    minutes = "The report highlighted:\n1. The service was well resourced.\n2. Referrals had gone back up.\n"

    assert extract(minutes) == []


# --- What pasting does to text --------------------------------------------------------------------

CFOS_BLOCK = (
    "RESOLVED:\n"
    "a) That the draft annual report be noted.\n"
    "b) That Members of the Committee be requested to submit their views on the draft annual report to\n"
    "the Director of Children and Family Services by no later than 20 September 2022.\n"
)


@pytest.mark.parametrize(
    "pasted",
    [
        pytest.param(CFOS_BLOCK.replace("\n", "\r\n"), id="Windows line endings"),
        pytest.param(CFOS_BLOCK.replace(" ", "\u00a0"), id="non-breaking spaces"),
        pytest.param(CFOS_BLOCK.replace("\n", "\r"), id="old Mac line endings"),
        pytest.param("\ufeff" + CFOS_BLOCK.replace("a) ", "a)\t"), id="byte order mark and tab"),
    ],
)
def test_pasted_text_quirks_change_nothing(pasted: str) -> None:
    assert extract(pasted) == extract(CFOS_BLOCK)
    assert extract(pasted)[1].owner == "Director of Children and Family Services"


def test_smart_quotes_are_read_like_straight_ones() -> None:
    resolution = only(
        "RESOLVED: That the Director of Children\u2019s Services report back in six months\u2019 time on the "
        "\u201cSafe Spaces\u201d pilot."
    )

    assert summary(resolution) == (
        REPORT_BACK,
        "Director of Children's Services",
        date(2023, 3, 6),
        "in six months' time",
    )
    assert '"Safe Spaces"' in resolution.text


def test_a_word_broken_across_lines_is_joined() -> None:
    resolution = only("RESOLVED: That officers be asked to arrange a multi-\nagency workshop.")

    assert resolution.text == "That officers be asked to arrange a multi-agency workshop."


def test_as_json_gives_iso_dates_and_plain_lists() -> None:
    resolution = only("RESOLVED: That officers be asked to publish the revised timetable within 28 days.")

    assert resolution.as_json() == {
        "text": "That officers be asked to publish the revised timetable within 28 days.",
        "kind": "action",
        "owner": "officers",
        "due_date": "2022-10-04",
        "due_rule": "within 28 days",
        "confidence": 0.95,
        "doubts": [],
        "respondents": None,
        "marker": None,
    }


# --- A long set of minutes ------------------------------------------------------------------------

AGENDA_ITEM = """{number}. HIGHWAYS MAINTENANCE PROGRAMME
The Director of Environment and Transport presented the report, which set out the programme for the year.
Arising from discussion, the following points were made:
i.
Members raised concerns about potholes on rural roads and asked that officers be requested to review them.
ii.
The Director agreed to report back to a future meeting on the winter gritting routes.
RESOLVED:
a) That the report be noted;
b) That the Director of Environment and Transport be requested to submit a further report to the next
meeting of the Committee;
c) That Members submit their views on the draft programme to the Director by 20 September 2022.

"""


def test_a_hundred_pages_of_minutes_yield_every_resolution() -> None:
    items = 600
    minutes = "".join(AGENDA_ITEM.format(number=n) for n in range(1, items + 1))
    assert len(minutes) > 300_000

    resolutions = extract(minutes)

    assert len(resolutions) == 3 * items
    assert [r.kind for r in resolutions[:3]] == [NOTED, REPORT_BACK, COMMENT]
    assert {r.due_date for r in resolutions if r.kind == COMMENT} == {date(2022, 9, 20)}
