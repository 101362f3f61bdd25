"""Validation of the four parts of a PDSA cycle, its links and the list's filters.

Each parser returns (clean values, errors per field); the same parsers serve the
HTML forms, the JSON API and the seeds. Whether a chosen site, backlog item or
measure belongs to the cycle's agency or initiative is checked by `services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from backend.pdsa.tables import ACT_DECISIONS, PHASES, RAN_AS_PLANNED
from backend.web import forms
from backend.web.forms import Errors, as_list, row_id

CHANGE_IDEA_MAX = 200  # the column is varchar(200)
LONG_TEXT_MAX = 10_000
SHORT_TEXT_MAX = 1_000
LINKS_MAX = 500  # more boxes than any backlog has: a mistake or an attack

PLAN_FIELDS = (
    "change_idea",
    "objective",
    "questions",
    "prediction",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "data_plan",
    "site",
    "start_date",
    "end_date",
)
DO_FIELDS = ("ran_as_planned", "observations")
STUDY_FIELDS = ("study",)
ACT_FIELDS = ("act_decision", "act_notes")
PART_FIELDS = {"plan": PLAN_FIELDS, "do": DO_FIELDS, "study": STUDY_FIELDS, "act": ACT_FIELDS}

# PII-01: every free-text field passes the personal-information guard.
PLAN_PII = {
    "change_idea": "Change idea",
    "objective": "Objective",
    "questions": "Questions",
    "prediction": "Prediction",
    "plan_who": "Who",
    "plan_what": "What",
    "plan_when": "When",
    "plan_where": "Where",
    "data_plan": "Data collection plan",
}
DO_PII = {"observations": "Observations"}
STUDY_PII = {"study": "Results against the prediction"}
ACT_PII = {"act_notes": "Notes"}
PART_PII = {"plan": PLAN_PII, "do": DO_PII, "study": STUDY_PII, "act": ACT_PII}


def _text(data, key, errors, label, max_length=LONG_TEXT_MAX, required=False) -> str:
    return forms.text(
        data.get(key), key, errors, label=label, max_length=max_length, required=required
    )


def parse_plan(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values: dict[str, Any] = {
        "change_idea": _text(data, "change_idea", errors, "Change idea", CHANGE_IDEA_MAX, True),
        "objective": _text(data, "objective", errors, "Objective"),
        "questions": _text(data, "questions", errors, "Questions"),
        "prediction": _text(data, "prediction", errors, "Prediction"),
        "plan_who": _text(data, "plan_who", errors, "Who", SHORT_TEXT_MAX),
        "plan_what": _text(data, "plan_what", errors, "What", LONG_TEXT_MAX),
        "plan_when": _text(data, "plan_when", errors, "When", SHORT_TEXT_MAX),
        "plan_where": _text(data, "plan_where", errors, "Where", SHORT_TEXT_MAX),
        "data_plan": _text(data, "data_plan", errors, "Data collection plan"),
        "site": forms.ref_id(data.get("site"), "site", errors, label="Site"),
        "start_date": forms.day(data.get("start_date"), "start_date", errors, label="Start date"),
        "end_date": forms.day(data.get("end_date"), "end_date", errors, label="End date"),
    }
    start, end = values["start_date"], values["end_date"]
    if start and end and end < start:
        errors.add("end_date", "End date must be on or after the start date")
    return values, errors


def parse_do(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    ran = data.get("ran_as_planned")
    if ran in (None, ""):
        errors.add("ran_as_planned", "Choose whether the test ran as planned")
        ran = ""
    else:
        ran = forms.choice(
            ran,
            "ran_as_planned",
            errors,
            label="Whether it ran as planned",
            choices=RAN_AS_PLANNED,
            default="",
        )
    values = {
        "ran_as_planned": ran,
        "observations": _text(data, "observations", errors, "Observations"),
    }
    return values, errors


def parse_study(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    label = "Results against the prediction"
    return {"study": _text(data, "study", errors, label, required=True)}, errors


def parse_act(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    decision = data.get("act_decision")
    if decision in (None, ""):
        errors.add("act_decision", "Choose a decision: adopt, adapt or abandon")
        decision = ""
    else:
        decision = forms.choice(
            decision, "act_decision", errors, label="A decision", choices=ACT_DECISIONS, default=""
        )
    values = {
        "act_decision": decision,
        "act_notes": _text(data, "act_notes", errors, "Notes"),
    }
    return values, errors


PARSERS = {"plan": parse_plan, "do": parse_do, "study": parse_study, "act": parse_act}


def id_list(raw: Any, field: str, errors: Errors, label: str) -> list[int]:
    """Ticked boxes -> distinct ids; anything that cannot be an id is refused."""
    ids: list[int] = []
    for value in as_list(raw):
        found = row_id(value) if isinstance(value, str) else None
        if found is None:
            errors.add(field, f"Choose {label} from the list")
            return []
        ids.append(found)
    ids = list(dict.fromkeys(ids))
    if len(ids) > LINKS_MAX:
        errors.add(field, f"Choose at most {LINKS_MAX} {label}")
        return []
    return ids


def parse_links(data: dict[str, Any]) -> tuple[list[int], list[int], Errors]:
    errors = Errors()
    items = id_list(data.get("items"), "items", errors, "backlog items")
    measures = id_list(data.get("measures"), "measures", errors, "measures")
    return items, measures, errors


@dataclass
class CycleFilters:
    """What the list of cycles shows. A value that is not one of the choices is
    ignored (shown as "any"), never an error: filters come from links people share."""

    site: str = ""  # "", "none" or a site id as text
    change_idea: str = ""
    phase: str = ""

    @classmethod
    def parse(cls, params, site_ids: list[int], change_ideas: list[str]) -> CycleFilters:
        site, idea, phase = (params.get(k) for k in ("site", "change_idea", "phase"))
        site_ok = site == "none" or (row_id(site) is not None and row_id(site) in site_ids)
        return cls(
            site=site if site_ok else "",
            change_idea=idea if isinstance(idea, str) and idea in change_ideas else "",
            phase=phase if phase in PHASES else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.site or self.change_idea or self.phase)

    def keeps(self, cycle: dict[str, Any]) -> bool:
        if self.site == "none" and cycle["site"] is not None:
            return False
        if self.site not in ("", "none") and str(cycle["site"]) != self.site:
            return False
        if self.change_idea and cycle["change_idea"] != self.change_idea:
            return False
        return not (self.phase and cycle["phase"] != self.phase)

    def query(self) -> str:
        pairs = [(k, getattr(self, k)) for k in ("site", "change_idea", "phase")]
        return urlencode([(k, v) for k, v in pairs if v])
