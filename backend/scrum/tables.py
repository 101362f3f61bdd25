"""Scrum tables. Every row reaches its agency through its initiative."""

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

from backend.initiatives.tables import CIStage, Initiative

ITEM_KINDS = {
    "story": "Story",
    "task": "Task",
    "spike": "Spike",
    "pdsa_test": "PDSA test",
    "pip_activity": "PIP activity",
    "impediment": "Impediment",
}
SPRINT_STATES = ("planned", "active", "closed")
DEFAULT_COLUMNS = (("To do", False), ("In progress", False), ("In review", False), ("Done", True))


class BoardColumn(Table, tablename="board_column"):
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=60, null=False)
    position = Integer(null=False)
    wip_limit = Integer(null=True, default=None)
    is_done = Boolean(default=False)


class Release(Table):
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200, null=False)
    milestone = Text(default="")
    target_date = Date(null=True, default=None)
    stage = ForeignKey(references=CIStage, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)


class Sprint(Table):
    initiative = ForeignKey(
        references=Initiative, null=False, on_delete=OnDelete.cascade, index=True
    )
    release = ForeignKey(references=Release, null=True, on_delete=OnDelete.set_null)
    number = Integer(null=False)
    goal = Text(default="")
    start_date = Date(null=False)
    end_date = Date(null=False)
    capacity = Integer(null=True, default=None)
    state = Varchar(length=10, default="planned")
    started_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    # Frozen at start and at close so a closed sprint's numbers never move.
    committed_points = Integer(null=True, default=None)
    completed_points = Integer(null=True, default=None)
    planning_notes = Text(default="")
    review_notes = Text(default="")
    retrospective_notes = Text(default="")
    version = Integer(default=1)


class BacklogItem(Table, tablename="backlog_item"):
    initiative = ForeignKey(
        references=Initiative, null=False, on_delete=OnDelete.cascade, index=True
    )
    kind = Varchar(length=20, default="story")
    title = Varchar(length=200, null=False)
    narrative = Text(default="")
    acceptance_criteria = Text(default="")
    estimate = Integer(null=True, default=None)
    rank = BigInt(null=False, index=True)
    status = ForeignKey(references=BoardColumn, null=False, on_delete=OnDelete.restrict)
    stage = ForeignKey(references=CIStage, null=True, on_delete=OnDelete.set_null)
    sprint = ForeignKey(references=Sprint, null=True, on_delete=OnDelete.set_null, index=True)
    assignee_name = Varchar(length=120, default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    done_at = Timestamptz(null=True, default=None)


class ItemBlock(Table, tablename="item_block"):
    """`item` is blocked by `blocker` until the blocker reaches a done column."""

    item = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade, index=True)
    blocker = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade)


class ItemHistory(Table, tablename="item_history"):
    """An item's sprint, status and estimate after each change, with its time.

    Burndowns and velocity replay these rows, so carrying an item into the next
    sprint adds a row and never rewrites what the closed sprint saw.
    """

    item = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(null=False)
    change = Varchar(length=30, null=False)
    sprint = ForeignKey(references=Sprint, null=True, on_delete=OnDelete.set_null, index=True)
    status = ForeignKey(references=BoardColumn, null=True, on_delete=OnDelete.set_null)
    estimate = Integer(null=True, default=None)
    is_done = Boolean(default=False)


TABLES = [BoardColumn, Release, Sprint, BacklogItem, ItemBlock, ItemHistory]
