"""Validation of problem-exploration and theory-of-change input (HTML forms and API bodies).

Each parser returns (clean values, errors per field). Whether referenced
findings belong to the initiative is checked by `services`, which can see
the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from backend.exploration.tables import (
    CONFIDENCE_LEVELS,
    EVIDENCE_TYPES,
    FINDING_KINDS,
    FINDING_SOURCES,
    QUESTION_STATUSES,
)
from backend.web import forms
from backend.web.forms import Errors, as_list, row_id

MARKDOWN_MAX = 20_000
SHORT_TEXT_MAX = 2_000
SEGMENT_MAX = 200  # the column is varchar(200)
OWNER_MAX = 120  # varchar(120)
# A pathway step cites a handful of findings; more than this is a mistake or an attack.
CITED_MAX = 200

FINDING_FIELDS = (
    "statement",
    "kind",
    "evidence_type",
    "source",
    "segment",
    "confidence",
    "found_on",
)
QUESTION_FIELDS = ("question", "sources", "owner_name", "due", "status")
THEORY_FIELDS = ("population", "long_term_outcome")
LINK_FIELDS = ("condition", "result")

# PII-01: the free text of these forms passes the personal-information guard.
FINDING_PII = {"statement": "Statement", "segment": "Population segment"}
QUESTION_PII = {"question": "Question", "sources": "Data sources"}
STATEMENT_PII = {"text": "Problem statement"}


def _choice(data: dict[str, Any], key: str, errors: Errors, label: str, choices, default):
    return forms.choice(data.get(key), key, errors, label=label, choices=choices, default=default)


def _text(
    data: dict[str, Any],
    key: str,
    errors: Errors,
    label: str,
    max_length: int = SHORT_TEXT_MAX,
    required: bool = False,
) -> str:
    return forms.text(
        data.get(key), key, errors, label=label, max_length=max_length, required=required
    )


def _required_text(data: dict[str, Any], key: str, label: str) -> tuple[str, Errors]:
    """A form of one required short text (a change note, an assumption)."""
    errors = Errors()
    return _text(data, key, errors, label, required=True), errors


def parse_finding(data: dict[str, Any], partial: bool = False) -> tuple[dict[str, Any], Errors]:
    """A finding's fields; with `partial` only the keys present are read (API PATCH)."""
    errors = Errors()
    parsers = {
        "statement": lambda: _text(data, "statement", errors, "Statement", MARKDOWN_MAX, True),
        "kind": lambda: _choice(data, "kind", errors, "Kind", FINDING_KINDS, "observation"),
        "evidence_type": lambda: _choice(
            data, "evidence_type", errors, "Evidence type", EVIDENCE_TYPES, "qualitative"
        ),
        "source": lambda: _choice(data, "source", errors, "Source", FINDING_SOURCES, "case_review"),
        "segment": lambda: _text(data, "segment", errors, "Population segment", SEGMENT_MAX),
        "confidence": lambda: _choice(
            data, "confidence", errors, "Confidence", CONFIDENCE_LEVELS, "medium"
        ),
        "found_on": lambda: forms.day(data.get("found_on"), "found_on", errors, label="Date"),
    }
    values = {key: parse() for key, parse in parsers.items() if not partial or key in data}
    return values, errors


def parse_question(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "question": _text(data, "question", errors, "Question", required=True),
        "sources": _text(data, "sources", errors, "Data sources"),
        "owner_name": _text(data, "owner_name", errors, "Owner", OWNER_MAX),
        "due": forms.day(data.get("due"), "due", errors, label="Due date"),
        "status": _choice(data, "status", errors, "Status", QUESTION_STATUSES, "open"),
    }
    return values, errors


def finding_ids(raw: Any, field: str, errors: Errors, label: str) -> list[int]:
    """Checked boxes -> distinct ids; anything that cannot be an id is refused."""
    ids: list[int] = []
    for value in as_list(raw):
        found = row_id(value) if isinstance(value, str) else None
        if found is None:
            errors.add(field, f"Choose {label} from the list")
            return []
        ids.append(found)
    ids = list(dict.fromkeys(ids))
    if len(ids) > CITED_MAX:
        errors.add(field, f"Choose at most {CITED_MAX} {label}")
        return []
    return ids


def parse_problem_statement(data: dict[str, Any], require_text: bool = True):
    errors = Errors()
    values = {
        "text": _text(data, "text", errors, "Problem statement", MARKDOWN_MAX, require_text),
        "findings": finding_ids(data.get("findings"), "findings", errors, "root causes"),
    }
    return values, errors


def parse_theory(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "population": _text(data, "population", errors, "Population"),
        "long_term_outcome": _text(
            data, "long_term_outcome", errors, "Long-term outcome", MARKDOWN_MAX
        ),
    }
    return values, errors


def parse_change_note(data: dict[str, Any]) -> tuple[str, Errors]:
    return _required_text(data, "change_note", "What changes in this version")


def parse_link(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "condition": _text(data, "condition", errors, "If", required=True),
        "result": _text(data, "result", errors, "Then", required=True),
        "findings": finding_ids(data.get("findings"), "findings", errors, "findings"),
    }
    return values, errors


def parse_assumption(data: dict[str, Any]) -> tuple[str, Errors]:
    return _required_text(data, "assumption", "Assumption")


def ticked(data: dict[str, Any], key: str) -> list[str]:
    """The boxes ticked under `key`, as sent, so a form with errors ticks them again."""
    return [v for v in as_list(data.get(key)) if isinstance(v, str)]


def parse_move(data: dict[str, Any]) -> str | None:
    direction = data.get("direction")
    return direction if direction in ("up", "down") else None


# ---------------------------------------------------------------- the findings list's filters


@dataclass(frozen=True)
class FindingFilters:
    """What the findings list shows. A value that is not one of the choices is
    ignored (shown as "any"), never an error: filters come from links people share."""

    kind: str = ""
    source: str = ""
    segment: str = ""

    @classmethod
    def parse(cls, params, segments: list[str]) -> FindingFilters:
        kind, source, segment = (params.get(k) for k in ("kind", "source", "segment"))
        return cls(
            kind=kind if kind in FINDING_KINDS else "",
            source=source if source in FINDING_SOURCES else "",
            # Segments are free text: only one some finding has is a filter.
            segment=segment if isinstance(segment, str) and segment in segments else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.kind or self.source or self.segment)

    def query(self) -> str:
        pairs = [(k, getattr(self, k)) for k in ("kind", "source", "segment")]
        return urlencode([(k, v) for k, v in pairs if v])
