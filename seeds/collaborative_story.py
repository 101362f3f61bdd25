"""The demo collaborative: a Breakthrough Series Collaborative on safety and risk
assessment practice (DESIGN.md story 2), with 21 member teams.

Plain data, played by seeds/collaborative_play.py. Every agency here is made up
(invented place names, each marked "(demo)"): one state agency, fourteen county
agencies and six tribal nations' family services. Each team has one initiative,
reports the collaborative's shared measure, adopts a few ideas of the change
package and tests them in PDSA cycles. Numbers are aggregates (assessments per
month), never records. Months count from the collaborative's start, which is
STARTED_MONTHS_AGO months before today's month.
"""

from __future__ import annotations

from dataclasses import dataclass

COLLABORATIVE = {
    "name": "Safety and Risk Assessment Practice Collaborative (demo)",
    "topic": (
        "Improving **safety and risk assessment practice**: every child's safety is "
        "assessed well and on time, safety plans lean on the family's own network, and "
        "risk ratings mean the same thing from one worker to the next.\n\n"
        "An 18-month Breakthrough Series Collaborative: three learning sessions, where "
        "the teams learn together and plan their tests, alternate with action periods, "
        "where each team runs small tests of change (PDSA cycles) in its own agency and "
        "reports the shared measure every month. After the last learning session, the "
        "teams spread what worked and sustain it."
    ),
    "share_cycles": True,
}
MONTHS = 18
STARTED_MONTHS_AGO = 10
# How long the faculty user is called; the liaison of seeds/people.py is faculty too.
FACULTY_NAME = "Faculty (demo)"
FACULTY_LOCAL_PART = "faculty"  # faculty@<people.DOMAIN>

# ---- the calendar: learning sessions as (title, month from the start, day of that
# month, notes); each starts on the first Tuesday from that day and lasts SESSION_DAYS.
# Action periods fill the time between them; the last runs to the collaborative's end.
LEARNING_SESSIONS = [
    (
        "Learning session 1",
        0,
        7,
        "Kick-off: the change package, the shared measure and how to run a first small "
        "test. Each team leaves with a PDSA cycle planned for the week after.",
    ),
    (
        "Learning session 2",
        5,
        12,
        "Teams show their run charts and what their cycles taught them; storyboards of "
        "the first adaptations; planning the tests of the second action period.",
    ),
    (
        "Learning session 3",
        11,
        9,
        "From testing to spread: what the teams adopted, how they will keep it going "
        "and take it to other offices.",
    ),
]
ACTION_PERIOD_NOTES = [
    "Monthly all-team calls; each team reports the shared measure by the 10th.",
    "Monthly all-team calls; faculty visit teams whose cycles have stalled.",
    "Spread and sustain: teams take adopted changes to new units; data every month.",
]
SESSION_DAYS = 2


# ---- the change package
@dataclass(frozen=True)
class Idea:
    key: str
    title: str
    description: str  # markdown
    # A PDSA cycle testing the idea: what the plan says ({where} is the team's unit).
    objective: str
    prediction: str
    who: str
    what: str
    data_plan: str
    # What the cycle found, by its Act decision: (observations, study, act notes).
    outcomes: dict[str, tuple[str, str, str]]


IDEAS = [
    Idea(
        "first_contact",
        "Use a structured safety assessment at every first contact",
        "Workers complete the agency's structured safety assessment at the first "
        "face-to-face contact, before leaving the home, rather than from notes later.",
        "See whether workers can complete the safety assessment before leaving the home.",
        "Four of five first contacts will have the assessment completed on the day.",
        "Two intake workers",
        "Take the assessment form (or tablet) to every first contact and complete it "
        "with the family before leaving",
        "Each worker ticks, per first contact, whether the assessment was finished on "
        "the day and what got in the way.",
        {
            "adopt": (
                "Nine of ten first contacts had the assessment finished on the day.",
                "Better than predicted (four of five). Workers said it took about ten "
                "minutes longer.",
                "Adopt for the whole intake unit; add it to new-worker training.",
            ),
            "adapt": (
                "Six of ten done on the day; the tablet form would not open without signal.",
                "Below the prediction: the form, not the workers, was the barrier.",
                "Test again with a paper copy of the form for homes without signal.",
            ),
            "abandon": (
                "Three of ten done on the day; workers felt it cut the conversation short.",
                "Well below the prediction, and families found it rushed.",
                "Stop this version; look at safety mapping as the way into the assessment.",
            ),
        },
    ),
    Idea(
        "supervisor_review",
        "Supervisor reviews every safety plan within 48 hours",
        "A supervisor reads and discusses every new safety plan with the worker within "
        "48 hours, using a short checklist, so weak plans are caught while they can "
        "still change.",
        "See whether supervisors can review each new safety plan within 48 hours.",
        "All new safety plans of one unit reviewed within 48 hours for two weeks.",
        "One supervisor and their unit",
        "Block two half-hour slots a day for safety plan reviews with the checklist",
        "The supervisor logs each plan's date and the date it was reviewed.",
        {
            "adopt": (
                "Eleven of twelve plans reviewed within 48 hours; one was on a holiday.",
                "Close to the prediction; two plans were changed after review.",
                "Adopt: every supervisor keeps the review slots; cover named for leave.",
            ),
            "adapt": (
                "Seven of twelve reviewed in time; court days took the review slots.",
                "Below the prediction: the slots clash with court days.",
                "Test again with a back-up supervisor on court days.",
            ),
            "abandon": (
                "Four of twelve reviewed in time; the unit was short of two supervisors.",
                "Far below the prediction; not workable with the present staffing.",
                "Stop for now; revisit when the vacant supervisor posts are filled.",
            ),
        },
    ),
    Idea(
        "family_network",
        "Family network in every safety plan",
        "Every safety plan names at least two people from the family's own network "
        "(relatives, friends, neighbours, elders) and what each will do.",
        "See whether workers can bring at least two network members into each plan.",
        "Three of four new plans will name two or more network members with a task.",
        "Three workers",
        "Ask the family to map their network at the first visit and invite two people "
        "to the safety planning meeting",
        "Count per plan the network members named and whether each has a task.",
        {
            "adopt": (
                "Eight of ten plans named two or more network members with a task.",
                "Above the prediction; families said the plan felt like theirs.",
                "Adopt across the unit; keep the network map with the plan.",
            ),
            "adapt": (
                "Five of ten plans named two network members; several met only by phone.",
                "Below the prediction: phone-only members often had no task written.",
                "Test again with a short call script that ends with a named task.",
            ),
            "abandon": (
                "Two of ten plans named network members; families were wary of sharing.",
                "Far below the prediction in the first week of contact.",
                "Stop at first contact; try again at the planning meeting instead.",
            ),
        },
    ),
    Idea(
        "tribal_notice",
        "Tribal notice within 24 hours for Native children",
        "When a child may be a member of a tribe or eligible for membership, the "
        "agency asks at first contact and notifies the tribe within 24 hours, so the "
        "tribe can take part in safety planning from the start.",
        "See whether tribal notice can go out within 24 hours of the first contact.",
        "Every notice due in two weeks goes out within 24 hours.",
        "The intake supervisor and the tribal liaison worker",
        "Ask about tribal membership at every first contact and send the notice the "
        "same day through the agreed contact",
        "Log the first contact and the time the notice was sent for each child.",
        {
            "adopt": (
                "All notices due went out within 24 hours; tribes joined two plans.",
                "As predicted; the tribes' workers came to the planning meetings.",
                "Adopt; add the membership question to the intake checklist.",
            ),
            "adapt": (
                "Most notices went out in time; weekend contacts waited until Monday.",
                "Weekdays met the prediction, weekends did not.",
                "Test again with the on-call supervisor sending weekend notices.",
            ),
            "abandon": (
                "The agreed contact changed during the test and notices bounced.",
                "Could not judge: the route, not the practice, failed.",
                "Stop this route; agree a new contact with the tribes first.",
            ),
        },
    ),
    Idea(
        "safety_mapping",
        "Safety mapping in team meetings",
        "Teams map each new case together (what are we worried about, what is working "
        "well, what needs to happen) before rating safety and risk.",
        "See whether a safety map in the weekly team meeting changes the plan made.",
        "Half the cases mapped will get a plan the worker had not thought of alone.",
        "One unit's weekly team meeting",
        "Map two new cases at each weekly team meeting, on a whiteboard, before the safety rating",
        "Note for each case mapped whether the plan changed and how long it took.",
        {
            "adopt": (
                "Six cases mapped; four plans changed, each map took about 20 minutes.",
                "Above the prediction; workers asked to map their own hard cases.",
                "Adopt for every unit's weekly meeting.",
            ),
            "adapt": (
                "Four cases mapped; maps ran long and squeezed the rest of the meeting.",
                "Two plans changed, as predicted, but the time is not sustainable.",
                "Test again with a 15-minute timer and a printed map template.",
            ),
            "abandon": (
                "Two cases mapped in three weeks; meetings were cancelled twice.",
                "Too few to judge.",
                "Stop until the meeting schedule is settled.",
            ),
        },
    ),
    Idea(
        "case_review",
        "Monthly case-review of risk ratings",
        "Once a month, supervisors review a sample of closed assessments to check that "
        "the risk ratings match the evidence written, and feed back to workers.",
        "See whether a monthly review of ten assessments finds rating drift.",
        "Two of ten ratings will not match the evidence recorded.",
        "Two supervisors",
        "Each reviews five closed assessments of the month with a short rating guide",
        "Record per assessment whether the rating matched the evidence and why not.",
        {
            "adopt": (
                "Three of ten ratings did not match; all three rated risk lower.",
                "Close to the prediction; the pattern points to one unclear question.",
                "Adopt monthly; rewrite the guidance for the unclear question.",
            ),
            "adapt": (
                "Review took twice as long as planned; only six assessments done.",
                "One of six did not match; the sample is too small to learn from.",
                "Test again with a shorter checklist and a fixed review hour.",
            ),
            "abandon": (
                "Both supervisors were pulled onto other work; two reviews done.",
                "Could not judge.",
                "Stop; fold the review into the supervision already scheduled.",
            ),
        },
    ),
]

# ---- the shared measure every team reports
SHARED_MEASURE = {
    "name": "Safety assessments completed within 24 hours",
    "definition": (
        "Of the safety assessments due in the month (one per new report assigned for "
        "assessment), the share completed within 24 hours of the first contact. "
        "Source: each agency's case management system, counted at month end."
    ),
    "unit": "%",
}
TEAM_MEASURE = {
    **SHARED_MEASURE,
    "kind": "process",
    "is_rate": True,
    "direction": "up",
    "period_kind": "month",
    "rule_set": "ihi",
    # The months before the team's first tests: the median is held there, so a
    # team whose changes worked shows a shift after it.
    "baseline_points": 6,
}
# Month-to-month wobble (percentage points), shifted by the team's position.
WOBBLE = (0, 3, 1, -2, -3, 2, 4, -1, -2, 1, 3, -3, -1, 2)
# The initiative each team runs inside the collaborative.
INITIATIVE = {
    "title": "Safety and risk assessment (collaborative team)",
    "problem_area": (
        "Safety assessments are often completed days after the first contact, safety "
        "plans rarely involve the family's own network, and risk ratings vary from "
        "worker to worker."
    ),
    "product_goal": (
        "Every child's safety is assessed within 24 hours of first contact, with a "
        "safety plan the family and its network help write."
    ),
}


# ---- the member teams
@dataclass(frozen=True)
class Team:
    name: str
    slug: str
    state: str
    kind: str  # state, county or tribal (accounts.tables.AGENCY_KINDS)
    unit: str  # where its tests run
    stage: int  # C&I stage position (5 Implementation, 6 Monitoring)
    baseline: int  # % of assessments on time before the collaborative
    lift: int  # percentage points gained once its changes took (0: no shift yet)
    months: int  # how many monthly points it has reported (10 to 14)
    caseload: int  # assessments due in a typical month
    adopted: tuple[str, ...]  # idea keys, in the order adopted
    # (idea key, Act decision) in order; a cycle on the same idea as the one
    # before, after adopt or adapt, continues that chain.
    cycles: tuple[tuple[str, str], ...]


TEAMS = [
    Team(
        "Lakeshore State Department of Children's Services (demo)",
        "demo-bsc-lakeshore-state",
        "MI",
        "state",
        "Statewide intake centre",
        6,
        58,
        18,
        14,
        84,
        ("first_contact", "supervisor_review", "case_review", "family_network"),
        (("first_contact", "adapt"), ("first_contact", "adopt"), ("case_review", "adopt")),
    ),
    Team(
        "Alderwick County Children's Services (demo)",
        "demo-bsc-alderwick-county",
        "OR",
        "county",
        "Alderwick intake unit",
        6,
        52,
        21,
        13,
        36,
        ("first_contact", "family_network", "safety_mapping"),
        (("first_contact", "adopt"), ("family_network", "adapt")),
    ),
    Team(
        "Brambleford County Department of Human Services (demo)",
        "demo-bsc-brambleford-county",
        "CO",
        "county",
        "Brambleford north office",
        5,
        61,
        0,
        11,
        28,
        ("supervisor_review", "safety_mapping"),
        (("supervisor_review", "adapt"),),
    ),
    Team(
        "Copperleaf County Family and Children's Services (demo)",
        "demo-bsc-copperleaf-county",
        "OH",
        "county",
        "Copperleaf intake unit",
        6,
        47,
        24,
        14,
        52,
        ("first_contact", "supervisor_review", "family_network", "case_review"),
        (
            ("supervisor_review", "adapt"),
            ("supervisor_review", "adopt"),
            ("first_contact", "adopt"),
        ),
    ),
    Team(
        "Dunmere County Child Protective Services (demo)",
        "demo-bsc-dunmere-county",
        "NY",
        "county",
        "Dunmere assessment unit",
        5,
        66,
        0,
        10,
        44,
        ("safety_mapping", "case_review"),
        (("safety_mapping", "abandon"), ("case_review", "adapt")),
    ),
    Team(
        "Elkhaven County Department of Social Services (demo)",
        "demo-bsc-elkhaven-county",
        "CA",
        "county",
        "Elkhaven emergency response unit",
        6,
        55,
        17,
        12,
        60,
        ("first_contact", "tribal_notice", "family_network"),
        (("first_contact", "adopt"), ("tribal_notice", "adapt"), ("tribal_notice", "adopt")),
    ),
    Team(
        "Foxmarsh County Children and Youth Services (demo)",
        "demo-bsc-foxmarsh-county",
        "PA",
        "county",
        "Foxmarsh intake unit",
        5,
        49,
        0,
        12,
        32,
        ("first_contact", "supervisor_review"),
        (("first_contact", "adapt"),),
    ),
    Team(
        "Greyhollow County Human Services Agency (demo)",
        "demo-bsc-greyhollow-county",
        "MN",
        "county",
        "Greyhollow child protection unit",
        6,
        57,
        19,
        13,
        40,
        ("family_network", "safety_mapping", "tribal_notice"),
        (("family_network", "adapt"), ("family_network", "adopt")),
    ),
    Team(
        "Ironmead County Division of Family Services (demo)",
        "demo-bsc-ironmead-county",
        "VA",
        "county",
        "Ironmead intake unit",
        5,
        63,
        0,
        10,
        24,
        ("case_review", "supervisor_review"),
        (("case_review", "adopt"),),
    ),
    Team(
        "Kestrel Plains County Social Services (demo)",
        "demo-bsc-kestrel-plains-county",
        "ND",
        "county",
        "Kestrel Plains family services office",
        6,
        50,
        20,
        12,
        22,
        ("first_contact", "tribal_notice", "family_network", "supervisor_review"),
        (("tribal_notice", "adopt"), ("first_contact", "adapt"), ("first_contact", "adopt")),
    ),
    Team(
        "Larkvale County Department of Job and Family Services (demo)",
        "demo-bsc-larkvale-county",
        "OH",
        "county",
        "Larkvale screening and intake unit",
        5,
        54,
        0,
        11,
        48,
        ("supervisor_review", "family_network"),
        (("supervisor_review", "abandon"), ("family_network", "adapt")),
    ),
    Team(
        "Mossbank County Children's Services (demo)",
        "demo-bsc-mossbank-county",
        "WI",
        "county",
        "Mossbank access and initial assessment unit",
        6,
        60,
        16,
        14,
        38,
        ("safety_mapping", "first_contact", "case_review"),
        (("safety_mapping", "adapt"), ("safety_mapping", "adopt"), ("first_contact", "adopt")),
    ),
    Team(
        "Quillfield County Family Services (demo)",
        "demo-bsc-quillfield-county",
        "NC",
        "county",
        "Quillfield assessment unit",
        5,
        45,
        0,
        13,
        30,
        ("first_contact", "safety_mapping"),
        (("first_contact", "adapt"), ("first_contact", "adapt")),
    ),
    Team(
        "Ravenmoor County Department of Human Services (demo)",
        "demo-bsc-ravenmoor-county",
        "CO",
        "county",
        "Ravenmoor intake unit",
        6,
        53,
        22,
        12,
        46,
        ("supervisor_review", "first_contact", "family_network"),
        (("supervisor_review", "adopt"), ("family_network", "adopt")),
    ),
    Team(
        "Thistledown County Child Welfare Services (demo)",
        "demo-bsc-thistledown-county",
        "CA",
        "county",
        "Thistledown emergency response unit",
        5,
        59,
        0,
        10,
        56,
        ("case_review", "safety_mapping", "tribal_notice"),
        (("case_review", "adapt"),),
    ),
    Team(
        "Aspen Bluff Tribal Family Services (demo)",
        "demo-bsc-aspen-bluff-tribal",
        "MT",
        "tribal",
        "Aspen Bluff family services office",
        6,
        48,
        23,
        13,
        14,
        ("family_network", "safety_mapping"),
        (("family_network", "adopt"), ("safety_mapping", "adapt")),
    ),
    Team(
        "Kingfisher River Band Child and Family Services (demo)",
        "demo-bsc-kingfisher-river-tribal",
        "MN",
        "tribal",
        "Kingfisher River child and family services",
        5,
        56,
        0,
        11,
        12,
        ("family_network", "first_contact"),
        (("family_network", "adapt"),),
    ),
    Team(
        "Sagebrook Nation Children's Services (demo)",
        "demo-bsc-sagebrook-nation",
        "AZ",
        "tribal",
        "Sagebrook Nation children's services",
        6,
        51,
        20,
        14,
        18,
        ("safety_mapping", "family_network", "supervisor_review"),
        (("safety_mapping", "adapt"), ("safety_mapping", "adopt"), ("family_network", "adopt")),
    ),
    Team(
        "Tamarack Point Tribal Social Services (demo)",
        "demo-bsc-tamarack-point-tribal",
        "WI",
        "tribal",
        "Tamarack Point social services",
        5,
        62,
        0,
        12,
        11,
        ("supervisor_review", "family_network"),
        (("supervisor_review", "adopt"), ("family_network", "abandon")),
    ),
    Team(
        "Wildrose Lake Tribe Family Services (demo)",
        "demo-bsc-wildrose-lake-tribal",
        "ND",
        "tribal",
        "Wildrose Lake family services",
        6,
        46,
        18,
        12,
        13,
        ("family_network", "safety_mapping", "case_review"),
        (("family_network", "adapt"), ("family_network", "adopt")),
    ),
    Team(
        "Windcrest Tribal Nation Family Services (demo)",
        "demo-bsc-windcrest-tribal",
        "NM",
        "tribal",
        "Windcrest family services",
        5,
        58,
        0,
        10,
        15,
        ("safety_mapping", "first_contact"),
        (("safety_mapping", "adapt"),),
    ),
]
