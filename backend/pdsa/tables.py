"""Plan-Do-Study-Act cycles, chained from one to the next."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import User
from backend.initiatives.tables import Initiative
from backend.measures.tables import Measure
from backend.scrum.tables import BacklogItem
from backend.sites.tables import Site

RAN_AS_PLANNED = {"yes": "Yes", "partly": "Partly", "no": "No"}
ACT_DECISIONS = {"adopt": "Adopt", "adapt": "Adapt", "abandon": "Abandon"}
# A cycle's phase follows from what has been written: plan, do, study, act, done.
PHASES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "done": "Done"}


class PdsaCycle(Table, tablename="pdsa_cycle"):
    initiative = ForeignKey(
        references=Initiative, null=False, on_delete=OnDelete.cascade, index=True
    )
    site = ForeignKey(references=Site, null=True, on_delete=OnDelete.set_null)
    # The cycle this one follows from (its Act said adapt or adopt and test on).
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.set_null)
    change_idea = Varchar(length=200, null=False)
    objective = Text(default="")
    questions = Text(default="")
    prediction = Text(default="")
    plan_who = Text(default="")
    plan_what = Text(default="")
    plan_when = Text(default="")
    plan_where = Text(default="")
    data_plan = Text(default="")
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    ran_as_planned = Varchar(length=10, default="")
    observations = Text(default="")
    study = Text(default="")  # results against the prediction
    act_decision = Varchar(length=10, default="")
    act_notes = Text(default="")
    version = Integer(default=1)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class PdsaItem(Table, tablename="pdsa_item"):
    cycle = ForeignKey(references=PdsaCycle, null=False, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=BacklogItem, null=False, on_delete=OnDelete.cascade, index=True)


class PdsaMeasure(Table, tablename="pdsa_measure"):
    cycle = ForeignKey(references=PdsaCycle, null=False, on_delete=OnDelete.cascade, index=True)
    measure = ForeignKey(references=Measure, null=False, on_delete=OnDelete.cascade, index=True)


TABLES = [PdsaCycle, PdsaItem, PdsaMeasure]
