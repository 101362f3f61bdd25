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

from backend.accounts.tables import Agency

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
    # Bumped by every ranking and sprint-lifecycle write: the UPDATE takes a row
    # lock on PostgreSQL, so writers to one initiative's order are serialised.
    write_seq = BigInt(default=0)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = [CIStage, Initiative]
