"""The traceability rule and the short labels that name linked rows on pages and cards."""

from __future__ import annotations

import re

# Stories from this C&I stage on (the agency's CIStage.position) should say why
# they exist: a finding or a core component.
RULE_FROM_STAGE = 4
RULE_WARNING = (
    f"This story is at stage {RULE_FROM_STAGE} or later and is not linked to a finding "
    "or a core component"
)

FIRST_LINE_MAX = 120
LINK_PART_MAX = 60
CHIP_MAX = 24

# Markdown that starts a line (headings, list bullets, quotes) says nothing in a label.
_LINE_LEAD = re.compile(r"^\s*(?:(?:#{1,6}|[-*+>]|\d+[.)])\s+)*")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_IF = re.compile(r"^\s*if\s+", re.IGNORECASE)
_THEN = re.compile(r"^\s*then\s+", re.IGNORECASE)


def flagged(
    rule_on: bool,
    kind: str,
    stage_position: int | None,
    has_finding: bool,
    has_component: bool,
) -> bool:
    """A story at stage 4 or later that links to no finding and no core component."""
    return (
        bool(rule_on)
        and kind == "story"
        and stage_position is not None
        and stage_position >= RULE_FROM_STAGE
        and not has_finding
        and not has_component
    )


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word where it can be."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def first_line(markdown: str, limit: int = FIRST_LINE_MAX) -> str:
    """The first line of a finding's statement as plain words, shortened."""
    for line in (markdown or "").splitlines():
        words = _EMPHASIS.sub("", _LINE_LEAD.sub("", line)).strip()
        if words:
            return shorten(words, limit)
    return "(no statement)"


def causal_label(condition: str, result: str) -> str:
    """ "If ... then ..." with each half shortened (people often type the "if" themselves)."""
    condition = shorten(_IF.sub("", condition or ""), LINK_PART_MAX)
    result = shorten(_THEN.sub("", result or ""), LINK_PART_MAX)
    return f"If {condition} then {result}"


def profile_label(intervention_name: str, number: int) -> str:
    return f"{intervention_name} profile v{number}"


def component_label(name: str, intervention_name: str, number: int) -> str:
    """ "Partnership (Family voice profile v2)"."""
    return f"{name} ({profile_label(intervention_name, number)})"


def chip(name: str) -> str:
    """A component's name short enough for a card."""
    return shorten(name, CHIP_MAX)
