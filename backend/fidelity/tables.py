"""Fidelity assessments: one site, one profile version, one rating per row of the rubric."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import User
from backend.initiatives.tables import Initiative
from backend.practice.tables import (
    ContinuumLevel,
    CoreComponent,
    PracticeBehaviour,
    PracticeProfile,
)
from backend.sites.tables import Site

METHODS = {
    "observation": "Observation",
    "case_review": "Case review",
    "interview": "Interview",
    "self_report": "Self-report",
}


class FidelityAssessment(Table, tablename="fidelity_assessment"):
    initiative = ForeignKey(
        references=Initiative, null=False, on_delete=OnDelete.cascade, index=True
    )
    profile = ForeignKey(references=PracticeProfile, null=False, on_delete=OnDelete.cascade)
    site = ForeignKey(references=Site, null=False, on_delete=OnDelete.cascade)
    method = Varchar(length=20, null=False)
    assessed_on = Date(null=False)
    assessor = Varchar(length=120, default="")
    notes = Text(default="")
    version = Integer(default=1)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class FidelityRating(Table, tablename="fidelity_rating"):
    """A rating of one behaviour, or of a whole component, at one continuum level."""

    assessment = ForeignKey(
        references=FidelityAssessment, null=False, on_delete=OnDelete.cascade, index=True
    )
    component = ForeignKey(references=CoreComponent, null=False, on_delete=OnDelete.cascade)
    behaviour = ForeignKey(references=PracticeBehaviour, null=True, on_delete=OnDelete.cascade)
    level = ForeignKey(references=ContinuumLevel, null=False, on_delete=OnDelete.cascade)


TABLES = [FidelityAssessment, FidelityRating]
