"""The federal Child and Family Services Review: reference rows and item links.

The reference rows are loaded by a migration from `cfsr.csv` beside this file
(a copy of the shared reference list), so every database has them; tests keep
them when they empty the database (db.REFERENCE_TABLES).
"""

from piccolo.columns import ForeignKey, Integer, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from backend.scrum.tables import BacklogItem

GROUP_KINDS = {"outcome": "Outcome", "systemic_factor": "Systemic factor"}


class CfsrGroup(Table, tablename="cfsr_group"):
    """One of the 7 outcomes (S1, S2, P1, P2, WB1-3) or 7 systemic factors."""

    code = Varchar(length=10, null=False, unique=True)
    name = Varchar(length=300, null=False)
    kind = Varchar(length=20, null=False)
    position = Integer(null=False)


class CfsrItem(Table, tablename="cfsr_item"):
    number = Integer(null=False, unique=True)  # 1-36
    name = Varchar(length=300, null=False)
    group = ForeignKey(references=CfsrGroup, null=False, on_delete=OnDelete.restrict)


class ItemCfsrItem(Table, tablename="item_cfsr_item"):
    """Traceability: a backlog item works toward a CFSR item."""

    item = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade, index=True)
    cfsr_item = ForeignKey(references=CfsrItem, null=False, on_delete=OnDelete.cascade)


TABLES = [CfsrGroup, CfsrItem, ItemCfsrItem]
