"""Traceability: which findings, core components and causal links a backlog item acts on."""

from piccolo.columns import ForeignKey
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from backend.exploration.tables import CausalLink, Finding
from backend.practice.tables import CoreComponent
from backend.scrum.tables import BacklogItem


class ItemFinding(Table, tablename="item_finding"):
    item = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade, index=True)
    finding = ForeignKey(references=Finding, null=False, on_delete=OnDelete.cascade, index=True)


class ItemComponent(Table, tablename="item_component"):
    item = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade, index=True)
    component = ForeignKey(
        references=CoreComponent, null=False, on_delete=OnDelete.cascade, index=True
    )


class ItemCausalLink(Table, tablename="item_causal_link"):
    item = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade, index=True)
    link = ForeignKey(references=CausalLink, null=False, on_delete=OnDelete.cascade, index=True)


TABLES = [ItemFinding, ItemComponent, ItemCausalLink]
