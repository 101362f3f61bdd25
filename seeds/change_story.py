"""The demo initiative's Change and Implementation side: DESIGN.md story 1.

Plain data, played into the database by seeds/change_play.py after the Scrum
history (seeds/demo.py). Days are counted from the first sprint's start
(negative = during the set-up days before it); sprint n starts on day 14 * (n - 1).
Stage numbers are positions in the default C&I stage list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# PII-01: the shape of the agency's case numbers (# a digit), so text that quotes one
# is flagged before it is saved.
CASE_NUMBER_SHAPES = "CW-######"

# ---------------------------------------------------------------- problem exploration

# (question, sources, owner, due day, status)
DATA_PLAN = [
    (
        "How have engagement ratings (CFSR items 12 to 15) changed over the last three years?",
        "Statewide case review results; CFSR round 3 data profile",
        "Priya Nair",
        7,
        "answered",
    ),
    (
        "Which parents are least engaged, by parent role, race and ethnicity?",
        "Case review results joined to parent demographics in the case management system",
        "Priya Nair",
        12,
        "answered",
    ),
    (
        "Why are fathers not engaged when the agency has identified them?",
        "Case review of 40 recent cases where a father was identified",
        "Maria Alvarez",
        24,
        "answered",
    ),
    (
        "What do supervisors believe good engagement looks like, and is it written down?",
        "Interviews with twelve supervisors; policy and training materials",
        "Dana Okafor",
        24,
        "answered",
    ),
    (
        "How do fathers experience their contact with the agency?",
        "Two focus groups with fathers, run by parent partners",
        "James Carter",
        26,
        "answered",
    ),
    (
        "How do engagement practices differ across the four pilot area offices?",
        "Office data profiles; supervisor interviews in each office",
        "Priya Nair",
        84,
        "open",
    ),
]


@dataclass(frozen=True)
class FindingSeed:
    key: str
    kind: str
    evidence_type: str
    source: str
    segment: str
    confidence: str
    day: int
    statement: str


FINDINGS = [
    FindingSeed(
        "ratings_fell",
        "observation",
        "quantitative",
        "cfsr_data",
        "All parents",
        "high",
        6,
        "Case review ratings fell for three years running: **engaging parents in case "
        "planning** (item 13) from 62% to 48% rated a strength, and **caseworker visits with "
        "parents** (item 15) from 55% to 41%.",
    ),
    FindingSeed(
        "fathers_gap",
        "observation",
        "quantitative",
        "administrative_data",
        "Black and Hispanic fathers",
        "high",
        11,
        "Fathers were identified in 71% of reviewed cases but contacted within 30 days in "
        "28%. For Black and Hispanic fathers the contact rate was 19%, against 41% for "
        "mothers of every group.",
    ),
    FindingSeed(
        "father_not_a_resource",
        "root_cause",
        "qualitative",
        "case_review",
        "Fathers",
        "high",
        22,
        "In 40 reviewed cases, workers seldom treated the father as a resource for the "
        "child: contact was attempted in 14 cases, and only 6 case plans named a role for "
        "the father. Notes often described the father as *unknown* or *not involved* "
        "without an attempt to find him.",
    ),
    FindingSeed(
        "no_written_behaviours",
        "root_cause",
        "qualitative",
        "interviews",
        "Supervisors",
        "high",
        23,
        "There are no written practice behaviours for engagement. Twelve supervisors "
        "described good engagement in eleven different ways, and none could point to a "
        "written standard to coach against.",
    ),
    FindingSeed(
        "decisions_after_the_fact",
        "contributing_factor",
        "qualitative",
        "focus_groups",
        "Black and Hispanic fathers",
        "medium",
        25,
        "Fathers said they learned of decisions after they were made and felt judged "
        "before they were heard. Several were never told why the agency was involved with "
        "their children.",
    ),
    FindingSeed(
        "little_coaching",
        "contributing_factor",
        "mixed",
        "survey",
        "Caseworkers",
        "medium",
        20,
        "Caseworkers carry 18 to 22 families each and get little coaching on engagement: "
        "64% of survey respondents had no supervision time on engagement in the last "
        "quarter.",
    ),
    FindingSeed(
        "caregivers_want_voice",
        "observation",
        "qualitative",
        "focus_groups",
        "Mothers and kin caregivers",
        "medium",
        26,
        "Mothers and kin caregivers asked to be heard in planning, not only informed of "
        "the plan once it is written.",
    ),
    FindingSeed(
        "language_access",
        "root_cause",
        "mixed",
        "case_review",
        "Spanish-speaking families",
        "medium",
        27,
        "Language access is inconsistent: written case plans were in English for 9 of 12 "
        "Spanish-speaking families, and an interpreter was recorded at fewer than half of "
        "their meetings.",
    ),
    FindingSeed(
        "rural_travel",
        "contributing_factor",
        "quantitative",
        "administrative_data",
        "Rural area offices",
        "low",
        27,
        "Workers in the two rural area offices drive more than an hour each way to half "
        "of their families, which limits how often they can meet parents in person.",
    ),
]

# (number, day, root-cause finding keys, text)
PROBLEM_STATEMENTS = [
    (
        1,
        9,
        (),
        "Engagement of parents in case planning and in caseworker visits has fallen for "
        "three years, and we do not yet know which parents are least engaged or why.",
    ),
    (
        2,
        27,
        ("father_not_a_resource", "no_written_behaviours", "language_access"),
        "Parents, and above all **Black and Hispanic fathers**, are not engaged as partners "
        "in planning for their children. Workers seldom treat fathers as a resource, there "
        "is no written description of good engagement to practise and coach against, and "
        "Spanish-speaking families meet plans and meetings in a language they do not read "
        "or speak.",
    ),
]

# ---------------------------------------------------------------- theory of change

POPULATION = (
    "Parents, caregivers and families with an open in-home or out-of-home case, with a "
    "focus on Black and Hispanic fathers and on Spanish-speaking families."
)

# (key, if, then, finding keys); the pathway in order.
CAUSAL_LINKS = [
    (
        "written_behaviours",
        "workers have a written description of engagement behaviours and are coached on it",
        "they reach out to fathers, mothers and caregivers early and consistently",
        ("no_written_behaviours", "little_coaching"),
    ),
    (
        "voice",
        "workers seek out and listen to the voice of every parent, including fathers",
        "parents take part in planning for their children",
        ("father_not_a_resource", "caregivers_want_voice", "fathers_gap"),
    ),
    (
        "transparency",
        "workers are open about why the agency is involved and what will happen next",
        "parents trust the agency enough to stay engaged",
        ("decisions_after_the_fact",),
    ),
    (
        "plans_fit",
        "parents take part in planning and stay engaged",
        "case plans fit families, and engagement ratings rise with the gap for fathers closed",
        ("ratings_fell",),
    ),
]
# Version 2 adds language access after the Spanish-speaking families' finding.
CAUSAL_LINKS_V2 = [
    *CAUSAL_LINKS[:3],
    (
        "language",
        "plans, letters and meetings are in the family's own language",
        "Spanish-speaking families take part in planning as fully as other families",
        ("language_access",),
    ),
    CAUSAL_LINKS[3],
]
ASSUMPTIONS = [
    "Supervisors in the pilot offices can give an hour a fortnight to engagement coaching.",
    "Parent partners stay on the team for the whole pilot.",
    "Case review ratings are a fair measure of how engaged parents are.",
]
THEORY_DAYS = (38, 60)  # versions 1 and 2
THEORY_V2_NOTE = (
    "Added language access to the pathway after the Spanish-speaking families' case review."
)

# ---------------------------------------------------------------- practice profile

INTERVENTION = {
    "name": "Family engagement practice",
    "approach": "design",
    "purpose": (
        "Give workers, supervisors and managers one shared, observable description of "
        "engaging parents, caregivers and families, so that engagement can be taught, "
        "coached and checked for fidelity."
    ),
    "principles": (
        "- Parents are the experts on their own families.\n"
        "- Every parent counts: fathers and paternal relatives are sought out, not waited for.\n"
        "- Say what you will do, and do what you said.\n"
        "- Plans are made *with* families, in their own language."
    ),
    "evidence_level": "Locally designed with the NIRN practice profile method; being tested",
}

LEVELS = ("Optimal", "Developmental", "Unacceptable")


@dataclass(frozen=True)
class BehaviourSeed:
    key: str
    role: str
    text: str
    descriptors: tuple[str, str, str]  # optimal, developmental, unacceptable


@dataclass(frozen=True)
class ComponentSeed:
    key: str
    name: str
    description: str
    behaviours: list[BehaviourSeed] = field(default_factory=list)


COMPONENTS = [
    ComponentSeed(
        "voice",
        "Parent, caregiver and family voice",
        "Every parent, caregiver and family member is asked what they want for their "
        "children, and their words shape the plan.",
        [
            BehaviourSeed(
                "ask_every_parent",
                "Worker",
                "Asks every parent, including fathers, what they want for their children "
                "and records it in their words.",
                (
                    "Asks each parent, the father included, at the first visit and at every "
                    "plan review; their own words appear in the plan.",
                    "Asks the parent who is present; the father or other caregivers are "
                    "asked only when they attend.",
                    "Writes the plan without asking parents what they want.",
                ),
            ),
            BehaviourSeed(
                "family_meetings",
                "Worker",
                "Invites fathers, paternal relatives and other supports to family team meetings.",
                (
                    "Finds and invites both sides of the family and the supports parents "
                    "name, at times they can attend.",
                    "Invites the supports the mother names; the father's side only if he asks.",
                    "Holds meetings without inviting the family's own supports.",
                ),
            ),
            BehaviourSeed(
                "voice_in_supervision",
                "Supervisor",
                "Checks in supervision that every parent's voice is in the case plan.",
                (
                    "Reviews each plan for every parent's words and coaches when one is missing.",
                    "Reviews plans when a case is escalated.",
                    "Signs plans without reading whose voice is in them.",
                ),
            ),
        ],
    ),
    ComponentSeed(
        "transparency",
        "Authenticity and transparency",
        "Workers are honest, clear and respectful about why the agency is involved, "
        "what will happen and what parents can decide.",
        [
            BehaviourSeed(
                "explain_involvement",
                "Worker",
                "Explains why the agency is involved, what happens next and what the parent "
                "can decide.",
                (
                    "Explains at the first contact and again whenever something changes, "
                    "in plain words and the parent's language, and checks it was understood.",
                    "Explains at the first contact only, or only in writing.",
                    "Leaves the parent to find out from letters or court papers.",
                ),
            ),
            BehaviourSeed(
                "honest_concerns",
                "Worker",
                "Tells parents the truth about concerns, including disagreement, with respect.",
                (
                    "Names concerns directly, listens to the parent's view and records "
                    "where they disagree.",
                    "Names concerns but does not record the parent's view.",
                    "Avoids naming concerns, or names them with blame.",
                ),
            ),
        ],
    ),
    ComponentSeed(
        "partnership",
        "Partnership",
        "Plans are built with families, on their strengths and supports, and "
        "commitments are kept on both sides.",
        [
            BehaviourSeed(
                "plan_together",
                "Worker",
                "Builds the case plan with the family, using their strengths and supports.",
                (
                    "Drafts the plan with the family in the meeting; goals use their "
                    "strengths and their supports.",
                    "Drafts the plan alone and asks the family to agree to it.",
                    "Gives the family a finished plan to sign.",
                ),
            ),
            BehaviourSeed(
                "follow_through",
                "Worker",
                "Follows through on commitments and tells parents when something changes.",
                (
                    "Does what was agreed, on time, and calls ahead when a plan changes.",
                    "Does what was agreed, but parents learn of changes late.",
                    "Misses commitments without telling the family.",
                ),
            ),
            BehaviourSeed(
                "time_for_meetings",
                "Manager",
                "Makes time and space for family team meetings at times parents can attend.",
                (
                    "Offers evening and community meeting times in every office.",
                    "Offers office-hours meetings only, with exceptions on request.",
                    "Leaves meeting times to whatever rooms are free.",
                ),
            ),
        ],
    ),
]

# What version 2 changes, after usability testing and the pilot offices' feedback.
PROFILE_V2_NOTE = (
    "After usability testing: explicit outreach to fathers within 30 days, plan materials "
    "in the family's language, and an anti-bias review in supervision."
)
V2_ADDED = {
    "voice": [
        BehaviourSeed(
            "father_outreach",
            "Worker",
            "Contacts every identified father within 30 days and records the outcome.",
            (
                "Contacts the father within 30 days, by more than one route if needed, "
                "and records what he wants for his children.",
                "Tries once to contact the father and records the attempt.",
                "Does not try to contact an identified father.",
            ),
        ),
    ],
    "transparency": [
        BehaviourSeed(
            "own_language",
            "Worker",
            "Gives plans, letters and explanations in the family's own language.",
            (
                "Plans and letters are translated and an interpreter joins every meeting "
                "the family wants one at.",
                "An interpreter joins meetings, but written plans are in English.",
                "Relies on children or relatives to interpret.",
            ),
        ),
    ],
    "partnership": [
        BehaviourSeed(
            "bias_review",
            "Supervisor",
            "Reviews engagement of fathers by race and ethnicity with each worker every month.",
            (
                "Looks at each worker's father contacts by race and ethnicity monthly and "
                "plans coaching on any gap.",
                "Looks at father contacts overall, without the breakdown.",
                "Does not review who is and is not engaged.",
            ),
        ),
    ],
}
PROFILE_DAYS = (56, 70)  # version 1 (approved for the pilot after testing), version 2 drafted

# ---------------------------------------------------------------- stages and readiness

# stage position -> (status, started day, done day or None, key tasks done (by index),
# evidence {task index: (url, note)})
STAGE_PROGRESS = {
    1: ("active", -10, None, (0, 1, 2, 3), {2: ("", "Readiness assessed in all four offices.")}),
    2: (
        "done",
        0,
        27,
        (0, 1, 2, 3, 4, 5),
        {
            1: ("https://intranet.demo.tandem.example/exploration/data-plan", ""),
            5: ("", "Findings shared with the area office managers and the parent advisory board."),
        },
    ),
    3: (
        "done",
        28,
        42,
        (0, 1, 2, 3, 4),
        {2: ("https://intranet.demo.tandem.example/theory-of-change-v1", "")},
    ),
    4: ("active", 36, None, (0, 1, 2), {}),
    5: ("active", 66, None, (), {}),
}

# (stage position, day, decision, notes, liaison sign-off comment or "")
GATE_DECISIONS = [
    (
        2,
        27,
        "advance",
        "Root causes are named from four sources and the problem statement is agreed. "
        "Move on to the theory of change.",
        "Signed off: the findings are well triangulated. Keep the rural offices' data in "
        "view for the pilot choice.",
    ),
    (
        3,
        41,
        "hold",
        "The pathway skips how supervisors will coach. Add that link before we move on.",
        "",
    ),
    (
        3,
        42,
        "advance",
        "Coaching link added. The theory of change is agreed with the parent advisory board.",
        "Signed off.",
    ),
]

# (day, motivation, general capacity, intervention-specific capacity, notes)
READINESS = [
    (
        -8,
        3,
        3,
        1,
        (
            "Leadership is committed after the case review results.",
            "Supervisors are stretched; two offices have vacancies.",
            "No practice profile, no training or coaching for engagement yet.",
        ),
    ),
    (
        30,
        4,
        3,
        2,
        (
            "Staff who joined the focus groups are asking when the profile is ready.",
            "Vacancies filled in one office.",
            "Draft behaviours exist; coaching plan not yet written.",
        ),
    ),
    (
        66,
        4,
        4,
        3,
        (
            "All four pilot offices volunteered.",
            "Supervision time for coaching agreed with the union.",
            "Profile v1 approved; trainers named; fidelity tool in draft.",
        ),
    ),
]

# ---------------------------------------------------------------- story links

# item key -> (finding keys, component keys, causal link keys). Left out on purpose:
# "model_scan", "approach" and "pilot_offices", so the traceability view has gaps to show.
ITEM_LINKS = {
    "cfsr_data": (("ratings_fell",), (), ()),
    "breakdown": (("fathers_gap",), (), ()),
    "case_review": (("father_not_a_resource",), (), ()),
    "focus_groups": (("decisions_after_the_fact", "caregivers_want_voice"), (), ()),
    "supervisor_interviews": (("no_written_behaviours",), (), ()),
    "root_causes": (("father_not_a_resource", "no_written_behaviours", "language_access"), (), ()),
    "toc_draft": ((), (), ("written_behaviours", "voice", "transparency", "plans_fit")),
    "short_term_measures": (("ratings_fell",), (), ("plans_fit",)),
    "voice": (("father_not_a_resource",), ("voice",), ("voice",)),
    "transparency": (("decisions_after_the_fact",), ("transparency",), ("transparency",)),
    "partnership": (("caregivers_want_voice",), ("partnership",), ("plans_fit",)),
    "continuum": ((), ("voice", "transparency", "partnership"), ()),
    "first_contact": (("fathers_gap",), ("voice",), ("voice",)),
    "supervisor_coaching": (("little_coaching",), ("voice",), ("written_behaviours",)),
    "pdsa_voice": ((), ("voice",), ()),
    "pdsa_transparency": ((), ("transparency",), ()),
    "profile_review": ((), ("voice", "transparency", "partnership"), ()),
    "profile_revise": (("fathers_gap",), ("voice", "transparency", "partnership"), ()),
    "spanish": (("language_access",), ("transparency",), ()),
    "training": ((), ("voice", "transparency", "partnership"), ("written_behaviours",)),
    "coaching_plan": (("little_coaching",), (), ("written_behaviours",)),
    "fidelity_tool": ((), ("voice", "transparency", "partnership"), ()),
    "fidelity_interviews": ((), ("voice", "transparency"), ()),
    "fidelity_reviews": ((), ("partnership",), ()),
    "run_chart": (("ratings_fell",), (), ("plans_fit",)),
    "anti_bias": (("fathers_gap", "decisions_after_the_fact"), ("partnership",), ()),
    "profile_v2": ((), ("voice", "transparency", "partnership"), ()),
}
