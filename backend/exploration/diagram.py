"""Geometry of the pathway diagram: boxes from the population and root causes, through
the "if ... then ..." steps, to the long-term outcome, joined by arrows.

Python lays the boxes out and wraps their words (SVG has no text wrapping);
templates/exploration/_pathway_diagram.html draws them. Coordinates are in
the SVG's own units, so the drawing scales with the page. The page also
writes the pathway out as an ordered list: the diagram's text equivalent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.exploration.queries import first_line, plain

WIDTH = 560
MARGIN = 8
BOX_WIDTH = WIDTH - 2 * MARGIN
PADDING = 12
LINE_HEIGHT = 20
ARROW_GAP = 36  # vertical room between boxes for an arrow
# Characters per line: a 15px system font averages ~7.5px a character; wide
# letters need more, so the budget leaves room for them inside the box.
CHARS_PER_LINE = 50
LINES_PER_TEXT = 6  # a longer text ends in "…"; the list below the diagram has it all
ROOT_CAUSES_SHOWN = 6


@dataclass
class Line:
    x: float
    y: float
    text: str
    strong: bool = False


@dataclass
class Box:
    kind: str  # start, step or outcome: a class name for the template
    x: float
    y: float
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass
class Arrow:
    x: float
    y1: float
    y2: float


@dataclass
class Diagram:
    width: int
    height: int
    boxes: list[Box]
    arrows: list[Arrow]
    steps: int


def wrap(text: str, width: int = CHARS_PER_LINE, max_lines: int = LINES_PER_TEXT) -> list[str]:
    """Greedy word wrap; a word longer than a line is cut into line-sized pieces.
    More than `max_lines` lines end with an ellipsis on the last one kept."""
    words: list[str] = []
    for word in text.split():
        words.extend(word[i : i + width] for i in range(0, len(word), width))
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: width - 1].rstrip() if len(last) >= width else last) + "…"
    return lines


class _Layout:
    """Stacks boxes top to bottom, one arrow between each pair."""

    def __init__(self) -> None:
        self.y = MARGIN
        self.boxes: list[Box] = []
        self.arrows: list[Arrow] = []

    def box(self, kind: str, blocks: list[tuple[str, bool]]) -> None:
        """`blocks`: (text, strong) pieces, each wrapped on its own lines."""
        if self.boxes:
            self.arrows.append(Arrow(WIDTH / 2, self.y + 2, self.y + ARROW_GAP - 4))
            self.y += ARROW_GAP
        lines: list[Line] = []
        baseline = self.y + PADDING + LINE_HEIGHT * 0.75
        for text, strong in blocks:
            for piece in wrap(text) or [""]:
                lines.append(Line(MARGIN + PADDING, round(baseline, 1), piece, strong))
                baseline += LINE_HEIGHT
        height = 2 * PADDING + LINE_HEIGHT * len(lines)
        self.boxes.append(Box(kind, MARGIN, self.y, BOX_WIDTH, height, lines))
        self.y += height


def pathway(
    population: str,
    root_causes: list[dict[str, Any]],
    links: list[dict[str, Any]],
    outcome: str,
) -> Diagram:
    layout = _Layout()
    layout.box("start", [("Population", True), (plain(population) or "Not described yet", False)])
    causes: list[tuple[str, bool]] = [("Root causes", True)]
    for finding in root_causes[:ROOT_CAUSES_SHOWN]:
        causes.append(("• " + first_line(finding["statement"]), False))
    if len(root_causes) > ROOT_CAUSES_SHOWN:
        causes.append((f"and {len(root_causes) - ROOT_CAUSES_SHOWN} more", False))
    if not root_causes:
        causes.append(("No root cause cited by the pathway yet", False))
    layout.box("start", causes)
    for number, link in enumerate(links, start=1):
        layout.box(
            "step",
            [
                (f"Step {number}", True),
                ("If " + plain(link["condition"]), False),
                ("then " + plain(link["result"]), False),
            ],
        )
    layout.box(
        "outcome", [("Long-term outcome", True), (plain(outcome) or "Not written yet", False)]
    )
    return Diagram(
        width=WIDTH,
        height=round(layout.y + MARGIN),
        boxes=layout.boxes,
        arrows=layout.arrows,
        steps=len(links),
    )
