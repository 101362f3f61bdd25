"""Measures and their data points: aggregate, de-identified numbers only."""

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import User
from backend.cfsr.tables import CfsrItem
from backend.initiatives.tables import Initiative
from backend.practice.tables import Intervention

MEASURE_KINDS = {
    "outcome": "Outcome",
    "process": "Process",
    "balancing": "Balancing",
    "fidelity": "Fidelity",
}
DIRECTIONS = {"up": "Higher is better", "down": "Lower is better"}
RULE_SETS = {"ihi": "IHI run chart rules", "anhoej": "Anhoej rules"}
PERIOD_KINDS = {"month": "Month", "quarter": "Quarter", "week": "Week"}
POINT_SOURCES = {"entered": "Entered", "imported": "Imported", "fidelity": "Fidelity roll-up"}
DEFAULT_BASELINE_POINTS = 10
DEFAULT_SMALL_CELL = 10


class Measure(Table):
    initiative = ForeignKey(
        references=Initiative, null=False, on_delete=OnDelete.cascade, index=True
    )
    name = Varchar(length=200, null=False)
    kind = Varchar(length=20, default="outcome")
    definition = Text(default="")  # operational definition, markdown
    unit = Varchar(length=40, default="")  # "%", "children", "days"
    is_rate = Boolean(default=False)  # points carry numerator / denominator
    direction = Varchar(length=4, default="up")
    period_kind = Varchar(length=10, default="month")
    cfsr_item = ForeignKey(references=CfsrItem, null=True, on_delete=OnDelete.set_null)
    rule_set = Varchar(length=10, default="ihi")
    # None = the median of all points; otherwise frozen after this many points.
    baseline_points = Integer(null=True, default=DEFAULT_BASELINE_POINTS)
    small_cell_threshold = Integer(default=DEFAULT_SMALL_CELL)
    # A fidelity measure can be fed by fidelity assessments of this intervention.
    fidelity_intervention = ForeignKey(
        references=Intervention, null=True, on_delete=OnDelete.set_null
    )
    version = Integer(default=1)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class DataPoint(Table, tablename="data_point"):
    """One period's value. Unique per (measure, period_start)."""

    measure = ForeignKey(references=Measure, null=False, on_delete=OnDelete.cascade, index=True)
    period_start = Date(null=False)
    value = DoublePrecision(null=False)
    numerator = Integer(null=True, default=None)
    denominator = Integer(null=True, default=None)
    annotation = Text(default="")
    # IHI's fourth rule: a person judges a point astronomical and says why.
    astronomical = Boolean(default=False)
    astronomical_reason = Text(default="")
    source = Varchar(length=10, default="entered")
    version = Integer(default=1)
    updated_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES = [Measure, DataPoint]
