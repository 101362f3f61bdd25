"""The demo initiative's evidence: sites, measures, PDSA cycles, fidelity, and a small PIP.

Plain data, played by seeds/evidence_play.py after the C&I story. The outcome
measures follow the published direction of the Boston partnership (DESIGN.md
story 3): first placements with kin up by about 45%, sibling groups placed
together up by about 15%, re-entry within a year down from 30% to 20%. Each
series has 24 monthly points ending last month; the change starts in month 13,
so every chart shows a shift that the baseline (the first 10 points) does not.
Numbers are aggregates: counts of children, never records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---- sites: four area offices piloted version 1 of the practice profile
SITES = [
    ("Merrimack Valley Area Office", "area_office", "pilot"),
    ("Central Hills Area Office", "area_office", "pilot"),
    ("Pioneer Valley Area Office", "area_office", "pilot"),
    ("Harbor Area Office", "area_office", "pilot"),
    ("Berkshire Area Office", "area_office", "none"),
    ("North Shore Area Office", "area_office", "none"),
]
PILOT_SITES = [name for name, _, phase in SITES if phase == "pilot"]


# ---- measures
@dataclass(frozen=True)
class MeasureSeed:
    key: str
    name: str
    kind: str
    definition: str
    unit: str
    direction: str
    cfsr_item: int | None
    # (numerator, denominator) per month, oldest first; None for a plain value series.
    counts: list[tuple[int, int]] = field(default_factory=list)
    rule_set: str = "ihi"
    annotations: dict[int, str] = field(default_factory=dict)  # month index -> note


def _pairs(numerators: str, denominators: str) -> list[tuple[int, int]]:
    nums = [int(n) for n in numerators.split()]
    dens = [int(d) for d in denominators.split()]
    assert len(nums) == len(dens) == 24
    return list(zip(nums, dens, strict=True))


MEASURES = [
    MeasureSeed(
        "kinship",
        "Children placed first with relatives or kin",
        "outcome",
        "Of the children who entered care in the month, the share whose first placement "
        "was with a relative or a close family friend. Source: monthly placement report.",
        "%",
        "up",
        10,
        # About 22% for a year, then about 32% (up by about 45%).
        _pairs(
            "10 11 9 10 12 10 9 11 10 11 9 10 13 14 15 14 15 16 14 15 16 15 16 15",
            "46 48 44 45 50 47 43 49 46 48 42 45 44 45 47 44 46 48 44 46 49 47 50 46",
        ),
        annotations={
            12: "Kin-first search at removal starts in the pilot offices",
            17: "Family finding staff added in two offices",
        },
    ),
    MeasureSeed(
        "siblings",
        "Sibling groups placed together",
        "outcome",
        "Of the sibling groups of two or three children who entered care in the month, the "
        "share placed in the same home. Months with fewer than 10 groups are suppressed "
        "for anyone outside the team.",
        "%",
        "up",
        7,
        # About 60% for a year, then about 69% (up by about 15%).
        _pairs(
            "7 8 7 9 7 8 9 7 6 8 7 5 9 8 10 9 10 8 9 10 11 9 10 9",
            "12 13 12 15 11 13 15 12 10 14 12 8 13 12 14 13 14 12 13 14 16 13 14 13",
        ),
    ),
    MeasureSeed(
        "reentry",
        "Re-entry into care within 12 months",
        "outcome",
        "Of the children who went home from care in the same month a year earlier, the "
        "share who came back into care within 12 months.",
        "%",
        "down",
        2,
        # About 30% for a year, then about 20%.
        _pairs(
            "12 13 12 11 13 12 14 12 13 12 11 12 9 8 9 8 9 8 7 8 9 8 8 9",
            "40 42 41 38 43 40 45 41 42 40 37 41 42 40 43 41 44 40 38 41 44 40 39 42",
        ),
    ),
    MeasureSeed(
        "planning",
        "Parents who took part in their case planning meeting",
        "process",
        "Of the case planning meetings held in the month in the pilot offices, the share "
        "where at least one parent took part in person, by phone or by video. Fathers "
        "count as parents whether or not they live with the child.",
        "%",
        "up",
        13,
        _pairs(
            "21 23 20 22 24 21 23 22 21 24 22 23 26 28 27 29 30 29 31 30 32 31 33 32",
            "45 47 44 46 48 45 47 46 44 48 46 47 46 47 45 48 49 47 50 48 51 49 52 50",
        ),
        rule_set="anhoej",
        annotations={12: "First PDSA cycle: calling fathers before the meeting"},
    ),
]
# Fed by the fidelity assessments (seeds/evidence_play.py sets its intervention).
FIDELITY_MEASURE = {
    "name": "Behaviours rated at fidelity in the pilot offices",
    "kind": "fidelity",
    "definition": "Of all practice behaviours rated in fidelity assessments in the month, "
    "the share rated at the optimal level. Computed from the assessments.",
    "unit": "%",
    "direction": "up",
    "period_kind": "month",
}


# ---- PDSA cycles: chains of small tests per change idea. Days count from the first
# sprint's start: the calls to fathers were tested about a year before the team
# took up sprints, when the planning measure starts to rise (its month 13).
@dataclass(frozen=True)
class CycleSeed:
    key: str
    change_idea: str
    site: str
    start_day: int  # days from the first sprint's start
    days: int
    objective: str
    questions: str
    prediction: str
    who: str
    what: str
    when: str
    where: str
    data_plan: str
    parent: str | None = None
    ran_as_planned: str = ""
    observations: str = ""
    study: str = ""
    act: str = ""
    act_notes: str = ""
    items: tuple[str, ...] = ()  # seed item keys (seeds/parent_engagement.py)
    measures: tuple[str, ...] = ()  # measure keys above


CALL_FATHERS = "Call fathers before the first case planning meeting"
VOICE = "Parents speak first about their own goals"
INTERPRETER = "Book the interpreter when the meeting is booked"

CYCLES = [
    CycleSeed(
        "calls_1",
        CALL_FATHERS,
        "Merrimack Valley Area Office",
        -300,
        7,
        "See whether a phone call from the worker gets fathers to the planning meeting.",
        "Can workers reach fathers by phone? Do fathers who are called come?",
        "Of five fathers called, three will come to the meeting.",
        "One worker",
        "Calls five fathers two days before their first case planning meeting",
        "One week",
        "Merrimack Valley, intake unit",
        "The worker logs each call (reached or not) and whether the father came.",
        ran_as_planned="partly",
        observations="Reached three of five fathers; two numbers in the file were old.",
        study="Two of five came (prediction: three). Both who came had been reached.",
        act="adapt",
        act_notes="Ask the mother or relatives for a current number before calling.",
        measures=("planning",),
    ),
    CycleSeed(
        "calls_2",
        CALL_FATHERS,
        "Merrimack Valley Area Office",
        -285,
        14,
        "Test the call with a current number asked for first, in three workers' caseloads.",
        "Does asking for a current number first raise how many fathers are reached?",
        "Eight of ten fathers reached; six of ten come.",
        "Three workers",
        "Ask for a current number, then call fathers two days before the meeting",
        "Two weeks",
        "Merrimack Valley, intake and ongoing units",
        "Call log per worker; attendance from the meeting record.",
        parent="calls_1",
        ran_as_planned="yes",
        observations="Nine of eleven fathers reached. One asked for an evening meeting.",
        study="Seven of eleven came (prediction: six of ten). Evening times mattered.",
        act="adopt",
        act_notes="Adopt in the office; offer an evening slot when a father asks.",
        items=("pdsa_voice",),
        measures=("planning",),
    ),
    CycleSeed(
        "calls_3",
        CALL_FATHERS,
        "Harbor Area Office",
        -250,
        21,
        "See whether the adopted call works in a second office with a different caseload.",
        "Does it hold where most families need an interpreter?",
        "Seven of ten fathers come.",
        "The Harbor intake unit",
        "The adopted call, with an interpreter on the line when needed",
        "Three weeks",
        "Harbor Area Office",
        "Call log; attendance; whether an interpreter was needed and booked.",
        parent="calls_2",
        ran_as_planned="partly",
        observations="Interpreters were hard to book at two days' notice.",
        study="Five of ten came. The three without an interpreter did not.",
        act="adapt",
        act_notes="Book the interpreter when the meeting is booked (new change idea).",
        measures=("planning",),
    ),
    CycleSeed(
        "voice_1",
        VOICE,
        "Central Hills Area Office",
        30,
        10,
        "Test the voice behaviours of the practice profile in three home visits.",
        "Do parents speak first about their own goals when the worker asks first?",
        "In at least two of three visits the parent speaks first about their goals.",
        "Two workers",
        "Open the visit with the profile's question about the family's goals",
        "Ten days",
        "Central Hills, ongoing unit",
        "Each worker notes after the visit who spoke first and about what.",
        ran_as_planned="yes",
        observations="Parents spoke first in all three visits; one visit ran long.",
        study="Three of three (prediction: two of three).",
        act="adopt",
        act_notes="Adopt; add the opening question to the visit guide.",
        items=("pdsa_voice",),
        measures=("planning",),
    ),
    CycleSeed(
        "interpreter_1",
        INTERPRETER,
        "Harbor Area Office",
        50,
        14,
        "See whether booking the interpreter with the meeting gets more parents there.",
        "How often is an interpreter booked in time when booked with the meeting?",
        "Interpreters booked in time for nine of ten meetings that need one.",
        "The Harbor intake unit and the office manager",
        "Book the interpreter in the same call that books the meeting",
        "Two weeks",
        "Harbor Area Office",
        "Booking log: meeting booked, interpreter booked, interpreter present.",
        parent="calls_3",
        ran_as_planned="no",
        observations="The booking service needs five days' notice; most meetings are set "
        "with three.",
        study="Four of nine on time (prediction: nine of ten).",
        act="abandon",
        act_notes="Abandon; raise the notice period with the booking service instead.",
    ),
    CycleSeed(
        "voice_2",
        VOICE,
        "Pioneer Valley Area Office",
        58,
        10,
        "Test the transparency script alongside the opening question, with fathers.",
        "Can fathers say back the agency's main worry and the next step?",
        "Both fathers can say back the worry and the next step.",
        "One worker",
        "Opening question, then the transparency script, with two fathers",
        "Two weeks",
        "Pioneer Valley, ongoing unit",
        "The worker asks each father to say back the worry and next step; notes it.",
        parent="voice_1",
        ran_as_planned="yes",
        observations="One father could say both; one said the next step only.",
        items=("pdsa_transparency",),
    ),
]


# ---- fidelity: each pilot office is assessed weekly: version 1 from when it went
# into testing in the pilot offices (a fortnight before its approval on day 56,
# seeds/change_story.py PROFILE_DAYS), version 2 once it is being tested (day 70).
# Days count from the first sprint's start.
FIDELITY_V1_FROM = 43
FIDELITY_V2_FROM = 71
FIDELITY_EVERY_DAYS = 7
FIDELITY_METHODS = ("interview", "case_review")
# Which behaviour (by position across the profile, 0-based) tends to be rated
# developmental in which office: the coaching agendas differ by office.
DEVELOPMENTAL_HABITS = {
    "Merrimack Valley Area Office": (1, 4),
    "Central Hills Area Office": (2, 4, 6),
    "Pioneer Valley Area Office": (0, 4),
    "Harbor Area Office": (3, 4, 5),
}
FIDELITY_ASSESSORS = ("Quality improvement reviewer", "Area program manager")


# ---- the Program Improvement Plan (per agency)
PIP = {
    "title": "CFSR Round 4 Program Improvement Plan",
    "effective_months_ago": 9,
}
PIP_GOALS = [
    {
        "text": "Parents, fathers as much as mothers, take part in planning for their children.",
        "cfsr_item": 13,
        "strategies": [
            {
                "text": "Describe engagement practice and coach to it (the practice profile).",
                "activities": [
                    ("Write the parent engagement practice profile", 0, "completed", None),
                    ("Pilot the practice profile in four area offices", 1, "on_schedule", None),
                ],
            },
            {
                "text": "Train staff and supervisors in the engagement practice.",
                "activities": [
                    (
                        "Train pilot office staff in the engagement practice",
                        4,
                        "",
                        "pip_training",
                    ),
                    ("Coach supervisors to use the fidelity coaching agenda", -1, "behind", None),
                ],
            },
        ],
    },
    {
        "text": "Children who cannot stay at home are placed with kin and with their "
        "brothers and sisters.",
        "cfsr_item": 10,
        "strategies": [
            {
                "text": "Search for kin at removal, before any other placement.",
                "activities": [
                    ("Kin-first search at removal in the pilot offices", -3, "completed", None),
                    ("Report item 15 quarterly against the PIP goal", 6, "", "pip_measure"),
                ],
            },
        ],
    },
]
# (CFSR item, label, baseline, goal, measurement period, measure key or None)
PIP_MEASUREMENTS = [
    (
        13,
        "Child and family involvement in case planning",
        38.0,
        46.0,
        "Quarterly case review",
        "planning",
    ),
    (10, "Relative placement", 22.0, 30.0, "Monthly placement report", "kinship"),
    (15, "Caseworker visits with parents", 41.0, 49.0, "Quarterly case review", None),
]
