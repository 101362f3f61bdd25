"""A collaborative groups initiatives of several agencies around one topic."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import User
from backend.initiatives.tables import Initiative
from backend.measures.tables import Measure
from backend.scrum.tables import BacklogItem

SESSION_KINDS = {"learning_session": "Learning session", "action_period": "Action period"}


class Collaborative(Table):
    name = Varchar(length=200, null=False)
    topic = Text(default="")
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    # Whether member teams see each other's PDSA cycles ("what others are testing").
    share_cycles = Boolean(default=True)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class CollaborativeTeam(Table, tablename="collaborative_team"):
    """A member team: one initiative of one agency. Unique per (collaborative, initiative)."""

    collaborative = ForeignKey(
        references=Collaborative, null=False, on_delete=OnDelete.cascade, index=True
    )
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    joined_on = Date(null=True, default=None)


class Faculty(Table):
    """A person who guides the collaborative (need not belong to any member agency)."""

    collaborative = ForeignKey(
        references=Collaborative, null=False, on_delete=OnDelete.cascade, index=True
    )
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade)


class CollaborativeSession(Table, tablename="collaborative_session"):
    """The calendar: learning sessions, and the action periods between them."""

    collaborative = ForeignKey(
        references=Collaborative, null=False, on_delete=OnDelete.cascade, index=True
    )
    kind = Varchar(length=20, null=False)
    title = Varchar(length=200, null=False)
    start_date = Date(null=False)
    end_date = Date(null=False)
    notes = Text(default="")
    version = Integer(default=1)


class ChangeIdea(Table, tablename="change_idea"):
    """One idea of the change package that member teams can adopt."""

    collaborative = ForeignKey(
        references=Collaborative, null=False, on_delete=OnDelete.cascade, index=True
    )
    position = Integer(null=False)
    title = Varchar(length=200, null=False)
    description = Text(default="")  # markdown
    version = Integer(default=1)


class Adoption(Table):
    """A team took up a change idea: the backlog item it became in their backlog.
    Unique per (idea, initiative). The PDSA cycles linked to that item are the
    team's tests of the idea (faculty see them with their decisions)."""

    idea = ForeignKey(references=ChangeIdea, null=False, on_delete=OnDelete.cascade, index=True)
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    item = ForeignKey(references=BacklogItem, null=True, on_delete=OnDelete.set_null)
    adopted_at = Timestamptz(null=False)


class SharedMeasure(Table, tablename="shared_measure"):
    """A measure every member team reports, charted side by side with shared axes."""

    collaborative = ForeignKey(
        references=Collaborative, null=False, on_delete=OnDelete.cascade, index=True
    )
    name = Varchar(length=200, null=False)
    definition = Text(default="")
    unit = Varchar(length=40, default="")
    version = Integer(default=1)


class SharedMeasureLink(Table, tablename="shared_measure_link"):
    """Which of a team's own measures reports a shared measure. Unique per (shared, measure)."""

    shared = ForeignKey(
        references=SharedMeasure, null=False, on_delete=OnDelete.cascade, index=True
    )
    measure = ForeignKey(references=Measure, null=False, on_delete=OnDelete.cascade)


TABLES = [
    Collaborative,
    CollaborativeTeam,
    Faculty,
    CollaborativeSession,
    ChangeIdea,
    Adoption,
    SharedMeasure,
    SharedMeasureLink,
]
