"""Interventions and their versioned practice profiles (the rubric of a practice)."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import User
from backend.initiatives.tables import Initiative

APPROACHES = {"replicate": "Replicate", "adapt": "Adapt", "design": "Design"}
PROFILE_STATUSES = {
    "draft": "Draft",
    "testing": "Testing",
    "approved": "Approved",
    "retired": "Retired",
}
# Only these can still be edited; approved and retired versions are history.
EDITABLE_STATUSES = ("draft", "testing")
# (label, meets fidelity?) of a new profile's continuum, best first.
DEFAULT_LEVELS = (("Optimal", True), ("Developmental", False), ("Unacceptable", False))
BEHAVIOUR_ROLES = ("Worker", "Supervisor", "Manager", "Parent partner", "Community partner")


class Intervention(Table):
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200, null=False)
    approach = Varchar(length=20, default="design")
    purpose = Text(default="")
    principles = Text(default="")  # markdown
    evidence_level = Varchar(length=200, default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class PracticeProfile(Table, tablename="practice_profile"):
    """One version of an intervention's practice profile.

    "New version" copies the latest version's levels, components, behaviours and
    descriptors into new rows, so every earlier version stays readable as it was.
    """

    intervention = ForeignKey(references=Intervention, null=False, on_delete=OnDelete.cascade)
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    number = Integer(null=False)
    status = Varchar(length=20, default="draft")
    change_note = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class ContinuumLevel(Table, tablename="continuum_level"):
    profile = ForeignKey(references=PracticeProfile, null=False, on_delete=OnDelete.cascade)
    position = Integer(null=False)  # 1 = best
    label = Varchar(length=60, null=False)
    meets_fidelity = Boolean(default=False)


class CoreComponent(Table, tablename="core_component"):
    profile = ForeignKey(references=PracticeProfile, null=False, on_delete=OnDelete.cascade)
    initiative = ForeignKey(references=Initiative, null=False, on_delete=OnDelete.cascade)
    position = Integer(null=False)
    name = Varchar(length=200, null=False)
    description = Text(default="")
    # The same component across versions of the profile keeps its lineage.
    lineage = Varchar(length=32, null=False)


class PracticeBehaviour(Table, tablename="practice_behaviour"):
    component = ForeignKey(references=CoreComponent, null=False, on_delete=OnDelete.cascade)
    position = Integer(null=False)
    text = Text(null=False)
    role = Varchar(length=60, default="Worker")
    lineage = Varchar(length=32, null=False)


class Descriptor(Table):
    """What one behaviour looks like at one continuum level."""

    behaviour = ForeignKey(references=PracticeBehaviour, null=False, on_delete=OnDelete.cascade)
    level = ForeignKey(references=ContinuumLevel, null=False, on_delete=OnDelete.cascade)
    text = Text(default="")


TABLES = [
    Intervention,
    PracticeProfile,
    ContinuumLevel,
    CoreComponent,
    PracticeBehaviour,
    Descriptor,
]
