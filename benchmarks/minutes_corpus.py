"""Realistic minutes of any length: the two real minutes in tests/fixtures, and generated agenda items written the
way UK council minutes are (a report received, discussion points, then a decision block in one of the usual
headings, list styles and phrasings), wrapped at PDF-like line lengths with page numbers between pages.

A "page" is about 3 KB, so 100 pages are about 300 KB. The text is the same for the same seed.
"""

import random
import textwrap
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"

OFFICERS = (
    "Director of Children and Family Services",
    "Director of Adults and Communities",
    "Chief Executive",
    "Head of Finance",
    "Director of Environment and Transport",
    "Monitoring Officer",
    "Strategic Director of City Development and Neighbourhoods",
    "Head of Housing Services",
    "Director of Public Health",
    "Chief Fire Officer",
)
TOPICS = (
    "the Annual Report of the Safeguarding Children Partnership",
    "the Medium Term Financial Strategy 2023/24 to 2026/27",
    "the recruitment and retention of foster carers",
    "waiting times for adult social care assessments",
    "the draft Local Plan consultation",
    "the performance of the household waste recycling centres",
    "the Library Strategy",
    "the cost of living crisis and the Household Support Fund",
    "school places for children with special educational needs",
    "the Highways Asset Management Plan",
)
DATES = (
    "20 September 2022",
    "31 March 2023",
    "14 January 2023",
    "30/11/2022",
    "the end of October",
    "1st December 2022",
)
NARRATIVE = (
    "Members raised concerns regarding the rising number of children with mental health needs and asked how the "
    "Department would use the feedback provided by children to develop its strategy.",
    "In response to a question, the Director explained that additional Government funding had been used to provide "
    "training for school staff and to place support staff within schools.",
    "A Member noted that the number of referrals had declined significantly during the first lockdown and had since "
    "returned to the levels seen before the pandemic.",
    "It was reported that the service had been maintained throughout the period, although face to face activity had "
    "been reduced and some meetings had moved online.",
    "The Committee was advised that the budget was shared with the Police and the Clinical Commissioning Group, and "
    "that there were no current resource concerns.",
    "Members welcomed the engagement with young people and noted that their input had influenced the business "
    "planning and priorities for the coming year.",
    "Concern was expressed about the pressure on the high needs block of the Dedicated Schools Grant and the "
    "resulting deficit, which was expected to grow over the medium term.",
    "The Cabinet Lead Member said that the Council would continue to lobby Government for fairer funding and would "
    "keep Members informed of any response received.",
)
HEADINGS = ("RESOLVED:", "RESOLVED that:", "Resolved \u2013", "AGREED:", "DECISION", "It was RESOLVED that:")
MARKERS = (
    lambda n: f"({'abcdefgh'[n]})",
    lambda n: f"{'abcdefgh'[n]})",
    lambda n: f"{n + 1}.",
    lambda n: f"({('i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii')[n]})",
    lambda n: "\u2022",
)


def resolution_phrases(officer: str, topic: str, date: str) -> tuple[str, ...]:
    return (
        f"That the report on {topic} be noted",
        f"That the {officer} be requested to write to the Secretary of State regarding {topic}",
        f"That officers be asked to circulate the revised action plan on {topic} to all Members by {date}",
        f"That a further report on {topic} be brought back to the next meeting of the Committee",
        f"That the {officer} report back to the Committee within six months on progress with {topic}",
        f"That Members submit any further comments on the draft report on {topic} to the {officer} by {date}",
        f"That the Committee welcomes the progress made on {topic} and thanks officers for their work",
        f"That delegated authority be given to the {officer}, in consultation with the Cabinet Lead Member, to "
        f"finalise the response on {topic}",
        f"That the Committee requests an update on {topic} at its March 2023 meeting",
        f"That the {officer} be asked to provide a progress report in three months",
        f"That the matter of {topic} be referred to Cabinet for consideration",
        f"That an update on {topic} be submitted to a future meeting of the Committee",
        f"That the Committee's comments on {topic}, as set out above, be forwarded to the Executive",
        f"That the Head of Finance be requested to complete the review of {topic} by the end of the financial year",
    )


def wrapped(text: str, rng: random.Random) -> str:
    return "\n".join(textwrap.wrap(text, width=rng.randint(78, 92)))


def agenda_item(number: int, rng: random.Random) -> tuple[str, int]:
    """One minuted item of about 3 KB, and how many resolutions its decision block holds."""
    officer, topic, date = rng.choice(OFFICERS), rng.choice(TOPICS), rng.choice(DATES)
    opening = (
        f"The Committee considered a report of the {officer} which provided an update on {topic}. A copy of the "
        f"report, marked 'Agenda Item {number % 14 + 3}', is filed with these minutes."
    )
    points = [wrapped(" ".join(rng.sample(NARRATIVE, rng.randint(2, 3))), rng) for _ in range(rng.randint(4, 6))]
    discussion = "\n\n".join(
        f"{marker}\n{point}" for marker, point in zip(("i.", "ii.", "iii.", "iv.", "v.", "vi."), points, strict=False)
    )
    count = rng.randint(2, 5)
    chosen = rng.sample(resolution_phrases(officer, topic, date), count)
    marker = rng.choice(MARKERS)
    joiner = rng.choice((";", "."))
    items = [f"{marker(n)} {wrapped(text + (joiner if n < count - 1 else '.'), rng)}" for n, text in enumerate(chosen)]
    decision = "\n".join([rng.choice(HEADINGS), *items])
    heading = f"{number}. {topic.upper().removeprefix('THE ')}"
    text = "\n\n".join(
        [
            heading,
            wrapped(opening, rng),
            "Arising from discussion, the following points were made:",
            discussion,
            decision,
        ]
    )
    return text, count


def fixture_minutes() -> list[str]:
    return [path.read_text() for path in sorted(FIXTURES.glob("*.txt"))]


def minutes(pages: int, seed: int = 2022) -> tuple[str, int]:
    """About `pages` x 3 KB of minutes, and how many resolutions were written into them (fixtures excluded)."""
    rng = random.Random(seed)
    fixtures = fixture_minutes()
    parts, planted = [], 0
    for page in range(pages):
        if page % 25 == 0:
            parts.append(fixtures[(page // 25) % len(fixtures)])
        else:
            text, count = agenda_item(page, rng)
            parts.append(text)
            planted += count
        parts.append(f"\n{page + 1}\n\f")  # page number and form feed, as PDF text has them
    return "\n".join(parts), planted
