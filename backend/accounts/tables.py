"""Agency: the tenant that owns initiatives and everything under them."""

from piccolo.columns import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

AGENCY_KINDS = ("state", "county", "tribal")


class Agency(Table):
    name = Varchar(length=200, null=False)
    slug = Varchar(length=80, unique=True, null=False)
    state = Varchar(length=50, default="")
    kind = Varchar(length=20, default="state", choices=None)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = [Agency]
