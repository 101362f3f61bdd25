"""Initiative (the Scrum "product") and the per-agency list of C&I stages."""

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Agency, User

# The Center for States' Change and Implementation stages, in order.
# (name, short name, cross-cutting?)
DEFAULT_STAGES = (
    ("Teaming and readiness", "Teaming", True),
    ("Problem exploration", "Exploration", False),
    ("Theory of change", "Theory of change", False),
    ("Intervention selection and design/adaptation", "Intervention", False),
    ("Implementation planning and capacity building", "Implementation", False),
    ("Monitoring, evaluating and applying findings", "Monitoring", False),
    ("Sustainability and spread", "Sustain and spread", False),
)


class CIStage(Table, tablename="ci_stage"):
    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.cascade)
    position = Integer(null=False)
    name = Varchar(length=120, null=False)
    short_name = Varchar(length=40, default="")
    cross_cutting = Boolean(default=False)


class Initiative(Table):
    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.cascade)
    title = Varchar(length=200, null=False)
    problem_area = Text(default="")
    product_goal = Text(default="")
    current_stage = ForeignKey(references=CIStage, null=True, on_delete=OnDelete.set_null)
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    swimlanes_by_stage = Boolean(default=True)
    # Flag stories at stage 4 or later that link to no finding and no core component.
    trace_rule = Boolean(default=True)
    # Bumped by every ranking and sprint-lifecycle write: the UPDATE takes a row
    # lock on PostgreSQL, so writers to one initiative's order are serialised.
    write_seq = BigInt(default=0)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


STAGE_STATUSES = {
    "not_started": "Not started",
    "active": "Active",
    "done": "Done",
    "revisiting": "Revisiting",
}
GATE_DECISIONS = {
    "advance": "Ready to move on",
    "hold": "Not ready yet",
    "revisit": "Revisit this stage",
}
# Key tasks a stage starts with, by the stage's position in the default list.
DEFAULT_STAGE_TASKS = {
    1: (
        "Form the implementation team",
        "Engage partners and people with lived experience",
        "Assess readiness",
        "Agree how the team decides and communicates",
    ),
    2: (
        "Identify the problem",
        "Write a data plan",
        "Collect and analyse data",
        "Identify root causes",
        "Write the problem statement",
        "Share findings",
    ),
    3: (
        "Gather root causes and population",
        "State the long-term outcome",
        "Draw the pathway of change",
        "Name the actions",
        "List the assumptions",
    ),
    4: (
        "Search for interventions that fit",
        "Choose to replicate, adapt or design",
        "Define core components",
        "Write the practice profile",
    ),
    5: (
        "Plan the implementation",
        "Build training and coaching",
        "Plan fidelity monitoring",
        "Choose pilot sites",
    ),
    6: (
        "Monitor fidelity",
        "Track outcome measures",
        "Apply findings to revise the practice",
    ),
    7: (
        "Plan for spread",
        "Secure funding and policy support",
        "Monitor after spread",
    ),
}


class StageProgress(Table, tablename="stage_progress"):
    """One initiative's progress in one C&I stage (a row exists once someone works it)."""

    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    stage = ForeignKey(references=CIStage, null=False, on_delete=OnDelete.cascade)
    status = Varchar(length=20, default="not_started")
    started_on = Date(null=True, default=None)
    done_on = Date(null=True, default=None)
    version = Integer(default=1)


class StageTask(Table, tablename="stage_task"):
    progress = ForeignKey(references=StageProgress, null=False, on_delete=OnDelete.cascade)
    position = Integer(null=False)
    title = Varchar(length=200, null=False)
    done = Boolean(default=False)
    evidence_url = Varchar(length=500, default="")
    evidence_note = Text(default="")
    done_at = Timestamptz(null=True, default=None)
    # DATA-01: two people editing one task's evidence; the later stale save is refused.
    version = Integer(default=1)


class GateDecision(Table, tablename="gate_decision"):
    """A stage gate decided by the agency lead. Never edited: a new decision adds a row."""

    progress = ForeignKey(references=StageProgress, null=False, on_delete=OnDelete.cascade)
    decision = Varchar(length=20, null=False)
    notes = Text(default="")
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=False)


class GateSignOff(Table, tablename="gate_sign_off"):
    """A liaison's sign-off comment on one gate decision."""

    decision = ForeignKey(references=GateDecision, null=False, on_delete=OnDelete.cascade)
    # "signed_off" or "changes_requested" (reviews.tables.SIGN_OFF_DECISIONS)
    outcome = Varchar(length=20, default="signed_off")
    signed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    signed_at = Timestamptz(null=False)
    comment = Text(default="")


class ReadinessAssessment(Table, tablename="readiness_assessment"):
    """Readiness = motivation x general capacity x intervention-specific capacity (1-5 each)."""

    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    assessed_on = Date(null=False)
    motivation = Integer(null=False)
    motivation_notes = Text(default="")
    general_capacity = Integer(null=False)
    general_capacity_notes = Text(default="")
    specific_capacity = Integer(null=False)
    specific_capacity_notes = Text(default="")
    assessed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = [
    CIStage,
    Initiative,
    StageProgress,
    StageTask,
    GateDecision,
    GateSignOff,
    ReadinessAssessment,
]
