"""Where practice happens: an agency's area offices, regions, counties."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Agency

SITE_KINDS = {
    "area_office": "Area office",
    "region": "Region",
    "county": "County",
    "tribal": "Tribal nation",
    "other": "Other",
}
ROLLOUT_PHASES = {"none": "Not started", "pilot": "Pilot", "spread": "Spread"}


class Site(Table):
    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, null=False)
    kind = Varchar(length=20, default="area_office")
    rollout_phase = Varchar(length=10, default="none")
    notes = Text(default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = [Site]
