"""Program Improvement Plan (after a CFSR): the plan, its parts and its targets."""

from piccolo.columns import Date, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Agency, User
from backend.cfsr.tables import CfsrItem
from backend.measures.tables import Measure
from backend.scrum.tables import BacklogItem

ACTIVITY_STATUSES = {
    "not_started": "Not started",
    "on_schedule": "On schedule",
    "behind": "Behind schedule",
    "completed": "Completed",
    "renegotiated": "Renegotiated",
}


class Pip(Table):
    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200, null=False)
    effective_date = Date(null=False)
    # Two years of implementation from the effective date, then a non-overlapping
    # year in which the measurement goals must be met (defaults, editable).
    implementation_end = Date(null=False)
    non_overlapping_year_end = Date(null=False)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class PipGoal(Table, tablename="pip_goal"):
    pip = ForeignKey(references=Pip, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(null=False)
    text = Text(null=False)
    cfsr_item = ForeignKey(references=CfsrItem, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)


class PipStrategy(Table, tablename="pip_strategy"):
    goal = ForeignKey(references=PipGoal, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(null=False)
    text = Text(null=False)
    version = Integer(default=1)


class PipActivity(Table, tablename="pip_activity"):
    """A key activity; when it is a backlog item, its progress follows the board."""

    strategy = ForeignKey(
        references=PipStrategy, null=False, on_delete=OnDelete.cascade, index=True
    )
    position = Integer(null=False)
    title = Varchar(length=200, null=False)
    owner = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    target_date = Date(null=True, default=None)
    status = Varchar(length=20, default="not_started")
    evidence = Text(default="")
    item = ForeignKey(references=BacklogItem, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)


class PipMeasurement(Table, tablename="pip_measurement"):
    """One line of the measurement plan: a CFSR item's baseline, goal and period."""

    pip = ForeignKey(references=Pip, null=False, on_delete=OnDelete.cascade, index=True)
    cfsr_item = ForeignKey(references=CfsrItem, null=True, on_delete=OnDelete.set_null)
    label = Varchar(length=200, default="")
    baseline = DoublePrecision(null=True, default=None)
    goal = DoublePrecision(null=True, default=None)
    renegotiated_goal = DoublePrecision(null=True, default=None)
    period = Varchar(length=120, default="")
    # The Tandem measure that tracks it, so the status page can compare.
    measure = ForeignKey(references=Measure, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)


TABLES = [Pip, PipGoal, PipStrategy, PipActivity, PipMeasurement]
