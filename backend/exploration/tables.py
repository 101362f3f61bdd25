"""Problem exploration (data plan, findings, problem statement) and the theory of change."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import User
from backend.initiatives.tables import Initiative

QUESTION_STATUSES = {"open": "Open", "in_progress": "In progress", "answered": "Answered"}
FINDING_KINDS = {
    "observation": "Observation",
    "root_cause": "Root cause",
    "contributing_factor": "Contributing factor",
}
EVIDENCE_TYPES = {"quantitative": "Quantitative", "qualitative": "Qualitative", "mixed": "Mixed"}
FINDING_SOURCES = {
    "case_review": "Case review",
    "cfsr_data": "CFSR data",
    "interviews": "Interviews",
    "focus_groups": "Focus groups",
    "survey": "Survey",
    "administrative_data": "Administrative data",
}
CONFIDENCE_LEVELS = {"low": "Low", "medium": "Medium", "high": "High"}


class DataQuestion(Table, tablename="data_question"):
    """A question of the problem-exploration data plan."""

    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    question = Text(null=False)
    sources = Text(default="")
    owner_name = Varchar(length=120, default="")
    due = Date(null=True, default=None)
    status = Varchar(length=20, default="open")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class Finding(Table):
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    statement = Text(null=False)  # markdown
    kind = Varchar(length=30, default="observation")
    evidence_type = Varchar(length=20, default="qualitative")
    source = Varchar(length=30, default="case_review")
    segment = Varchar(length=200, default="")  # population segment
    confidence = Varchar(length=10, default="medium")
    found_on = Date(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ProblemStatement(Table, tablename="problem_statement"):
    """Versioned: each save adds the next number; earlier numbers stay as they were."""

    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    number = Integer(null=False)
    text = Text(null=False)  # markdown
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ProblemStatementFinding(Table, tablename="problem_statement_finding"):
    """The root causes a problem statement version was built from."""

    statement = ForeignKey(references=ProblemStatement, null=False, on_delete=OnDelete.cascade)
    finding = ForeignKey(references=Finding, null=False, on_delete=OnDelete.cascade)


class TheoryOfChange(Table, tablename="theory_of_change"):
    """One version of an initiative's theory of change (the highest number is current).

    A new version copies the previous one's links and assumptions; old versions
    are never edited once a newer one exists.
    """

    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    number = Integer(null=False)
    population = Text(default="")
    long_term_outcome = Text(default="")
    change_note = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CausalLink(Table, tablename="causal_link"):
    """One "if ... then ..." step of a pathway of change."""

    theory = ForeignKey(references=TheoryOfChange, null=False, on_delete=OnDelete.cascade)
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    position = Integer(null=False)
    condition = Text(null=False)  # "if ..."
    result = Text(null=False)  # "then ..."
    # The same link across versions of the theory keeps its lineage.
    lineage = Varchar(length=32, null=False)
    # DATA-01: a link is edited on its own page, so it carries its own version.
    version = Integer(default=1)


class CausalLinkFinding(Table, tablename="causal_link_finding"):
    """The findings that justify a causal link."""

    link = ForeignKey(references=CausalLink, null=False, on_delete=OnDelete.cascade)
    finding = ForeignKey(references=Finding, null=False, on_delete=OnDelete.cascade)


class Assumption(Table):
    theory = ForeignKey(references=TheoryOfChange, null=False, on_delete=OnDelete.cascade)
    position = Integer(null=False)
    text = Text(null=False)


TABLES = [
    DataQuestion,
    Finding,
    ProblemStatement,
    ProblemStatementFinding,
    TheoryOfChange,
    CausalLink,
    CausalLinkFinding,
    Assumption,
]
