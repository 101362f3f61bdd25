"""The demo initiative's content: DESIGN.md story 1 (parent engagement, Agile + C&I).

Plain data, so the story can be edited without touching the code that plays
it into the database (seeds/demo.py). Stage numbers are positions in the
default C&I stage list (1 Teaming ... 7 Sustainability and spread).
"""

from __future__ import annotations

from dataclasses import dataclass

AGENCY = {
    "name": "Bay State Department of Children and Families (demo)",
    "slug": "demo-bay-state-dcf",
    "state": "MA",
    "kind": "state",
}

INITIATIVE = {
    "title": "Parent engagement practice profile",
    "problem_area": (
        "Family engagement measures fell in the two years before the federal Child and "
        "Family Services Review. Case reviews rate caseworker contact with parents, and "
        "involvement of parents in case planning, lowest of all items, and lowest of all "
        "for Black and Hispanic fathers. Staff had no written description of what good "
        "engagement looks like."
    ),
    "product_goal": (
        "Parents, caregivers and families are heard and treated as partners in every case: "
        "engagement ratings (CFSR items 13 and 15) rise to the national standard, with the "
        "gap for fathers closed, in every area office."
    ),
    "stage": 4,  # Intervention selection and design/adaptation
}

# People named on cards (free text on items; accounts come with a later issue).
PO = "Dana Okafor"
SUPERVISOR = "Maria Alvarez"
PARENT_PARTNER = "James Carter"
ANALYST = "Priya Nair"
WORKER = "Luis Ortega"
MANAGER = "Renee Thompson"
COMMUNITY = "Kwame Mensah"

# (key, name, milestone, C&I stage, target): the target date is the end of sprint number
# `target` in the two-week cadence (counting past the last planned sprint).
RELEASES = [
    (
        "exploration",
        "Problem exploration complete",
        "Root causes of low father engagement named from case reviews, CFSR data and "
        "focus groups, and accepted at the stage gate.",
        2,
        2,
    ),
    (
        "profile",
        "Practice profile v1 tested",
        "A written practice profile with three core components, behaviours and a "
        "continuum of practice, tested in usability cycles and approved for the pilot.",
        4,
        6,
    ),
    (
        "pilot",
        "Pilot in four area offices",
        "Staff of four area offices trained and coached; fidelity checked through "
        "interviews and case reviews after 60 days.",
        5,
        9,
    ),
]


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    stage: int
    estimate: int | None
    title: str
    narrative: str
    criteria: str
    assignee: str = ""


def _ac(*lines: str) -> str:
    return "\n".join(f"- {line}" for line in lines)


ITEMS: list[Item] = [
    # ---- 1 Teaming and readiness (cross-cutting)
    Item(
        "charter",
        "story",
        1,
        3,
        "Charter the parent engagement implementation team",
        "As the **agency lead**, I want a written team charter so that everyone knows "
        "who decides what, and parents and community partners have a real seat.",
        _ac(
            "Charter names the sponsor, product owner, scrum master and members",
            "Decision rules and escalation path are written down",
            "Signed off by the deputy commissioner",
        ),
        PO,
    ),
    Item(
        "parent_partners",
        "task",
        1,
        2,
        "Recruit two parent partners with lived experience to the team",
        "Parents who have had an open case see what we miss. We want two parent "
        "partners, at least one of them a father.",
        _ac("Two parent partners have joined", "Stipend and travel are arranged"),
        MANAGER,
    ),
    Item(
        "cadence",
        "task",
        1,
        2,
        "Agree meeting cadence and decision rules with community partners",
        "Two-week sprints with review and retrospective; community partners join the reviews.",
        _ac("Sprint calendar shared for six months", "Review invitations sent to partners"),
        PO,
    ),
    Item(
        "stipends",
        "impediment",
        1,
        1,
        "Parent partner stipends not yet approved by finance",
        "Parent partners cannot be paid until finance approves the stipend rate. "
        "Raised with the sponsor.",
        _ac("Stipend rate approved", "First payments made"),
        MANAGER,
    ),
    Item(
        "readiness",
        "story",
        1,
        3,
        "Run the readiness assessment in the four pilot area offices",
        "As the **implementation team**, we want to know each office's motivation and "
        "capacity before the pilot, so that we plan supports where they are needed.",
        _ac(
            "Motivation, general capacity and intervention-specific capacity scored per office",
            "Results discussed with each area office manager",
        ),
        MANAGER,
    ),
    # ---- 2 Problem exploration
    Item(
        "cfsr_data",
        "story",
        2,
        5,
        "Pull CFSR engagement item ratings for the last three years",
        "As the **product owner**, I want the case review ratings for items 12 to 15 "
        "over three years, so that we can see where engagement fell.",
        _ac(
            "Ratings for items 12, 13, 14 and 15 by year and area office",
            "Mothers and fathers shown separately",
            "Data source and extraction date recorded",
        ),
        ANALYST,
    ),
    Item(
        "breakdown",
        "story",
        2,
        5,
        "Break engagement ratings down by parent role, race and ethnicity",
        "As the **team**, we want engagement ratings by population segment, so that "
        "we find who is least engaged rather than assume it.",
        _ac(
            "Ratings by mother/father and by race and ethnicity",
            "Small cells (under 10) suppressed",
            "Chart and table shared with the team",
        ),
        ANALYST,
    ),
    Item(
        "case_review",
        "spike",
        2,
        8,
        "Case review: 40 cases where a father was identified but not engaged",
        "Read 40 recent cases to learn *why* fathers were not engaged: no contact "
        "attempted, contact attempted and refused, or the father not seen as a resource.",
        _ac(
            "40 cases reviewed with the agreed tool",
            "Reasons tallied and quoted examples kept (de-identified)",
        ),
        SUPERVISOR,
    ),
    Item(
        "focus_groups",
        "story",
        2,
        5,
        "Focus groups with fathers in two area offices",
        "As a **parent partner**, I want fathers to tell us in their own words how the "
        "agency treated them, so that the findings are not only from case files.",
        _ac(
            "Two focus groups held, one in Spanish",
            "Notes de-identified and themes agreed with the participants' facilitator",
        ),
        PARENT_PARTNER,
    ),
    Item(
        "supervisor_interviews",
        "story",
        2,
        3,
        "Interview supervisors about what good engagement looks like",
        "As the **product owner**, I want supervisors' descriptions of good engagement, "
        "so that we know whether a shared definition exists.",
        _ac("Twelve supervisors interviewed", "Answers grouped into themes"),
        SUPERVISOR,
    ),
    Item(
        "root_causes",
        "story",
        2,
        3,
        "Write up root causes and confirm them with the team",
        "Bring the data, case review, focus groups and interviews together into "
        "findings: low engagement of Black and Hispanic fathers, and no written "
        "practice behaviours for engagement.",
        _ac(
            "Each root cause cites its evidence",
            "Team and parent partners agree the wording",
        ),
        PO,
    ),
    Item(
        "exploration_gate",
        "task",
        2,
        2,
        "Present problem exploration findings at the stage gate",
        "Leadership decides whether to move on to the theory of change.",
        _ac("Gate decision and notes recorded", "Liaison has reviewed the findings"),
        PO,
    ),
    # ---- 3 Theory of change
    Item(
        "toc_draft",
        "story",
        3,
        5,
        "Draft the theory of change from root causes to engagement outcomes",
        "As the **team**, we want an *if ... then ...* pathway from our root causes to "
        "the long-term outcome, so that every story we write can say which link it "
        "serves.",
        _ac(
            "Each causal link cites at least one finding",
            "Assumptions listed separately",
        ),
        PO,
    ),
    Item(
        "toc_review",
        "task",
        3,
        3,
        "Review the theory of change with parent and community partners",
        "A working session with the fathers' group and the parent advisory board.",
        _ac("Comments recorded", "Changes agreed or declined with a reason"),
        COMMUNITY,
    ),
    Item(
        "short_term_measures",
        "story",
        3,
        3,
        "Choose short-term outcomes and measures for father engagement",
        "As the **analyst**, I want operational definitions for the short-term outcomes, "
        "so that we can draw run charts from the pilot's first month.",
        _ac(
            "Father contacts per case per month defined with numerator and denominator",
            "Baseline period agreed",
        ),
        ANALYST,
    ),
    # ---- 4 Intervention selection and design/adaptation
    Item(
        "model_scan",
        "spike",
        4,
        5,
        "Scan existing engagement practice models and practice profiles",
        "Look at published engagement models and other states' practice profiles "
        "before deciding to replicate, adapt or design.",
        _ac("At least five models compared on fit, evidence and usability"),
        SUPERVISOR,
    ),
    Item(
        "approach",
        "story",
        4,
        2,
        "Decide to replicate, adapt or design the engagement practice",
        "As the **agency lead**, I want a recorded decision with reasons, so that the "
        "liaison and leadership can follow why we chose it.",
        _ac("Decision recorded with the evidence level", "Reasons shared at sprint review"),
        PO,
    ),
    Item(
        "voice",
        "story",
        4,
        5,
        "Write the core component: parent, caregiver and family voice",
        "As a **worker**, I want to know what giving parents a voice looks like in "
        "practice, so that I can do it on every visit.",
        _ac(
            "Component described in plain language",
            "At least four observable behaviours for workers",
            "Reviewed by both parent partners",
        ),
        PARENT_PARTNER,
    ),
    Item(
        "transparency",
        "story",
        4,
        5,
        "Write the core component: authenticity and transparency",
        "As a **parent**, I want to be told honestly what the agency is worried about and "
        "what happens next, so that I can take part in decisions.",
        _ac(
            "Component described in plain language",
            "Behaviours cover explaining the case plan and court steps",
        ),
        WORKER,
    ),
    Item(
        "partnership",
        "story",
        4,
        5,
        "Write the core component: partnership",
        "As a **father**, I want to be treated as a resource for my child, so that I am "
        "part of the plan rather than an afterthought.",
        _ac(
            "Behaviours for workers and supervisors",
            "Covers fathers who do not live with the child",
        ),
        COMMUNITY,
    ),
    Item(
        "continuum",
        "story",
        4,
        8,
        "Define the continuum of practice for every behaviour",
        "For each behaviour, describe what it looks like at the **optimal**, "
        "**developmental** and **unacceptable** levels, so that coaching and fidelity "
        "reviews use the same words.",
        _ac(
            "Every behaviour has three descriptors",
            "Optimal and developmental distinguished by an observable difference",
        ),
        SUPERVISOR,
    ),
    Item(
        "first_contact",
        "story",
        4,
        5,
        "Write worker behaviours for the first contact with a father",
        "As a **worker**, I want clear steps for reaching a father who is not in the "
        "home, so that first contact is tried in every case.",
        _ac(
            "Covers locating, first call and first meeting",
            "Includes what to do when the mother objects",
        ),
        WORKER,
    ),
    Item(
        "supervisor_coaching",
        "story",
        4,
        3,
        "Write supervisor behaviours for coaching engagement",
        "As a **supervisor**, I want behaviours for coaching my workers on engagement, "
        "so that supervision is about practice and not only compliance.",
        _ac("Coaching behaviours for each core component", "Fits in the monthly supervision"),
        SUPERVISOR,
    ),
    Item(
        "pdsa_voice",
        "pdsa_test",
        4,
        3,
        "PDSA: test the voice behaviours in three home visits",
        "**Plan:** two workers use the voice behaviours in three home visits. "
        "**Prediction:** parents will speak first about their own goals in at least two "
        "of three visits.",
        _ac("Three visits done and debriefed", "Adopt, adapt or abandon recorded"),
        WORKER,
    ),
    Item(
        "pdsa_transparency",
        "pdsa_test",
        4,
        3,
        "PDSA: test the transparency script for explaining the case plan",
        "**Plan:** one worker uses the script with two fathers. **Prediction:** both can "
        "say back the agency's main worry and the next step.",
        _ac("Two conversations done", "Script revised from what fathers said"),
        WORKER,
    ),
    Item(
        "profile_review",
        "task",
        4,
        2,
        "Review the draft profile with the parent advisory board",
        "The board meets monthly; the draft goes to them a week ahead.",
        _ac("Board comments recorded against each component"),
        PARENT_PARTNER,
    ),
    Item(
        "profile_revise",
        "story",
        4,
        5,
        "Revise the practice profile after the usability tests",
        "As the **product owner**, I want one revised version that takes in the PDSA "
        "results and the board's comments, so that the pilot starts from a tested "
        "profile.",
        _ac(
            "Every PDSA result and board comment answered",
            "Version 1 marked approved for the pilot",
        ),
        PO,
    ),
    Item(
        "spanish",
        "task",
        4,
        2,
        "Translate the practice profile summary into Spanish",
        "Families and staff in two pilot offices work mostly in Spanish.",
        _ac("Translation checked by a Spanish-speaking parent partner"),
        WORKER,
    ),
    # ---- 5 Implementation planning and capacity building
    Item(
        "pilot_offices",
        "story",
        5,
        3,
        "Select the four pilot area offices",
        "As the **agency lead**, I want pilot offices chosen on readiness and on how "
        "many fathers they serve, so that the pilot tells us about the families we "
        "most need to reach.",
        _ac("Four offices chosen with reasons", "Area office managers agree"),
        MANAGER,
    ),
    Item(
        "training",
        "story",
        5,
        8,
        "Design the training for pilot supervisors and workers",
        "As a **supervisor**, I want training built on the practice profile with "
        "practice scenarios, so that my team can use it from day one.",
        _ac(
            "Two half-day sessions designed",
            "Scenarios include a non-resident father and an interpreter",
            "Parent partners co-deliver one session",
        ),
        SUPERVISOR,
    ),
    Item(
        "coaching_plan",
        "story",
        5,
        5,
        "Build the coaching plan for the pilot",
        "Supervisors observe one visit per worker per month and coach from the "
        "continuum of practice.",
        _ac("Observation form ready", "Coaching log agreed with supervisors"),
        SUPERVISOR,
    ),
    Item(
        "fidelity_tool",
        "story",
        5,
        5,
        "Set up the fidelity case review tool",
        "As the **analyst**, I want a case review tool that rates each behaviour on the "
        "continuum, so that fidelity can be rolled up by component and office.",
        _ac(
            "Tool rates every behaviour at optimal, developmental or unacceptable",
            "Two reviewers agree on 8 of 10 test cases",
        ),
        ANALYST,
    ),
    Item(
        "comms",
        "task",
        5,
        2,
        "Write the pilot communication plan for staff and families",
        "What staff and families hear about the pilot, from whom, and when.",
        _ac("Plan approved by the sponsor", "Family leaflet reviewed by parent partners"),
        PO,
    ),
    Item(
        "pip_training",
        "pip_activity",
        5,
        3,
        "PIP key activity: train pilot office staff in the engagement practice",
        "Program Improvement Plan strategy 2, key activity 2.1. Evidence: attendance "
        "records and training materials.",
        _ac("90% of pilot staff trained", "Evidence uploaded for the PIP report"),
        MANAGER,
    ),
    Item(
        "rooms",
        "task",
        5,
        2,
        "Book training rooms and interpreters in the pilot offices",
        "",
        _ac("Rooms booked for both sessions in all four offices", "Interpreters confirmed"),
        MANAGER,
    ),
    Item(
        "case_system",
        "impediment",
        5,
        None,
        "Case management system cannot record fathers as separate case participants",
        "Fathers who do not live with the child are recorded in a note field, so "
        "contacts with them cannot be counted. Raised with IT; a workaround is needed "
        "for the pilot.",
        _ac("Workaround agreed for the pilot", "Change request logged with IT"),
        ANALYST,
    ),
    # ---- 6 Monitoring, evaluating and applying findings
    Item(
        "fidelity_interviews",
        "story",
        6,
        5,
        "Run fidelity interviews with pilot workers after 60 days",
        "As the **team**, we want to hear from workers how the practice is going, so "
        "that we learn what the case reviews cannot show.",
        _ac("Two workers per office interviewed", "Ratings entered against the profile"),
        SUPERVISOR,
    ),
    Item(
        "fidelity_reviews",
        "story",
        6,
        8,
        "Case reviews of ten cases per pilot office against the practice profile",
        "Fidelity roll-up by component and office; developmental ratings feed the coaching agenda.",
        _ac("40 cases rated", "Roll-up shared at sprint review"),
        ANALYST,
    ),
    Item(
        "run_chart",
        "story",
        6,
        3,
        "Monthly run chart of father contacts per case in the pilot offices",
        "As the **agency lead**, I want a run chart with the baseline median, so that I "
        "can tell a real shift from noise.",
        _ac("Baseline of 10 months drawn", "Shift and trend rules applied"),
        ANALYST,
    ),
    Item(
        "anti_bias",
        "story",
        6,
        5,
        "Add anti-bias supports to the practice profile",
        "Focus groups said fathers of colour were treated as a risk before a resource. "
        "Add supports and reflective supervision prompts to address bias.",
        _ac("Supports reviewed by the fathers' group", "Included in version 2"),
        COMMUNITY,
    ),
    Item(
        "profile_v2",
        "story",
        6,
        None,
        "Revise the practice profile to version 2 from fidelity findings",
        "As the **product owner**, I want version 2 to fix what the pilot taught us, "
        "while version 1 stays on record.",
        _ac("Changes traced to fidelity findings", "Version 1 kept as history"),
        PO,
    ),
    Item(
        "pip_measure",
        "pip_activity",
        6,
        2,
        "PIP measurement: caseworker visits with parents, quarterly",
        "Report CFSR item 15 each quarter against the PIP goal.",
        _ac("Quarterly figure reported with its denominator"),
        ANALYST,
    ),
    # ---- 7 Sustainability and spread
    Item(
        "spread_plan",
        "story",
        7,
        None,
        "Plan the spread to the next group of area offices",
        "As the **agency lead**, I want a spread plan based on the pilot's results, so "
        "that the next offices start with what worked.",
        _ac("Next offices chosen", "Supports sized from the pilot"),
        MANAGER,
    ),
    Item(
        "performance_reviews",
        "story",
        7,
        None,
        "Embed the practice behaviours in supervisor performance reviews",
        "",
        _ac("Human resources agrees the wording"),
        MANAGER,
    ),
    Item(
        "preservice",
        "story",
        7,
        None,
        "Add the engagement practice to new worker pre-service training",
        "",
        _ac("Training academy curriculum updated"),
        SUPERVISOR,
    ),
    Item(
        "ongoing_fidelity",
        "story",
        7,
        None,
        "Set up ongoing fidelity monitoring after spread",
        "",
        _ac("Quarterly fidelity sample agreed", "Owner named in each office"),
        ANALYST,
    ),
]

# "item is blocked by blocker"
BLOCKED_BY = [
    ("training", "profile_revise"),
    ("pip_training", "training"),
    ("fidelity_tool", "case_system"),
    ("fidelity_interviews", "fidelity_tool"),
    ("profile_v2", "fidelity_reviews"),
    ("spread_plan", "profile_v2"),
    ("parent_partners", "stipends"),
]

# A card's path through a sprint: "day:column" steps, days counted from the
# sprint's first day (0), columns by position (1 To do, 2 In progress,
# 3 In review, 4 Done). An empty path leaves the card where it is.


@dataclass(frozen=True)
class SprintPlan:
    goal: str
    release: str
    committed: list[tuple[str, str]]  # (item key, path)
    added: list[tuple[str, int, str]]  # (item key, day added, path)
    planning: str = ""
    review: str = ""
    retrospective: str = ""


# Closed sprints first, then the active one, then the planned one.
SPRINTS: list[SprintPlan] = [
    SprintPlan(
        goal="Team chartered and three years of engagement data pulled",
        release="exploration",
        committed=[
            ("charter", "1:2 3:3 4:4"),
            ("cadence", "1:2 2:4"),
            ("parent_partners", "2:2 6:3 9:4"),
            ("cfsr_data", "1:2 5:2 8:3 10:4"),
            ("breakdown", "8:2 12:3"),
        ],
        added=[("stipends", 4, "4:2 8:4")],  # done before parent_partners, which it blocks
        planning="Capacity is lower this sprint: two members at CFSR preparation.",
        review="CFSR items 13 and 15 fell in every office since the last round. "
        "Fathers' ratings are half of mothers'.",
        retrospective="**Keep:** daily stand-up at 9:15. **Change:** data requests go "
        "through one person. **Try:** invite a parent partner to the review.",
    ),
    SprintPlan(
        goal="Root causes of low father engagement named",
        release="exploration",
        committed=[
            ("breakdown", "2:4"),
            ("case_review", "1:2 9:3 11:4"),
            ("focus_groups", "2:2 10:3 12:4"),
            ("supervisor_interviews", "1:2 6:3 7:4"),
            ("root_causes", "11:2 13:4"),
        ],
        added=[("exploration_gate", 8, "12:2 13:4")],
        review="Findings accepted at the stage gate: low engagement of Black and Hispanic "
        "fathers; no written practice behaviours for engagement.",
        retrospective="**Keep:** parent partner at every review. **Change:** book focus "
        "group rooms a sprint ahead.",
    ),
    SprintPlan(
        goal="Theory of change agreed and practice models scanned",
        release="profile",
        committed=[
            ("toc_draft", "1:2 5:3 7:4"),
            ("toc_review", "7:2 9:4"),
            ("short_term_measures", "3:2 8:3 10:4"),
            ("model_scan", "1:2 6:3 11:4"),
            ("approach", "12:2"),
        ],
        added=[],
        review="Theory of change agreed with partners. Decision on adapting a model "
        "slipped: leadership wants the model scan at the next review.",
        retrospective="**Change:** big decisions go on the review agenda a sprint ahead.",
    ),
    SprintPlan(
        goal="A first draft of the practice profile with three core components",
        release="profile",
        committed=[
            ("approach", "2:3 3:4"),
            ("voice", "1:2 6:3 8:4"),
            ("transparency", "2:2 7:3 10:4"),
            ("partnership", "3:2 9:3 12:4"),
            ("continuum", "9:2"),
        ],
        added=[("spanish", 6, "7:2 11:3 13:4")],
        review="Three core components drafted: parent, caregiver and family voice; "
        "authenticity and transparency; partnership. Continuum of practice started.",
        retrospective="**Try:** pair a parent partner with each writer.",
    ),
    SprintPlan(
        goal="Behaviours and continuum written, first usability tests run",
        release="profile",
        committed=[
            ("continuum", "3:3 6:4"),
            ("first_contact", "1:2 5:3 8:4"),
            ("supervisor_coaching", "2:2 7:3 9:4"),
            ("pdsa_voice", "4:2 10:3 12:4"),
            ("pdsa_transparency", "6:2 11:4"),
            ("profile_review", "12:2"),
        ],
        added=[("pilot_offices", 9, "")],
        review="PDSA results: parents spoke first about their goals in two of three "
        "visits; the transparency script needs plainer words.",
        retrospective="**Keep:** PDSA debriefs the same day. **Change:** advisory board "
        "gets drafts a week ahead.",
    ),
    # Active: its events up to yesterday have happened (none on a Tuesday morning).
    SprintPlan(
        goal="Practice profile v1 revised and approved for the pilot",
        release="profile",
        committed=[
            ("profile_review", "1:4"),
            ("pilot_offices", "1:2 3:3"),
            ("profile_revise", "2:2"),
            ("fidelity_tool", ""),
            ("comms", "3:2"),
            ("case_system", "2:2"),
        ],
        added=[],
        planning="Fidelity tool is blocked until IT agrees a workaround for recording fathers.",
    ),
    SprintPlan(
        goal="Pilot offices ready to train",
        release="pilot",
        committed=[
            ("training", ""),
            ("coaching_plan", ""),
            ("rooms", ""),
            ("readiness", ""),
        ],
        added=[],
    ),
]
