"""Reading the fidelity pages' numbers back out of their HTML, as a person would see them."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Cells(HTMLParser):
    """Roll-up table cells {(lineage, site, period): text} and chart markers
    {(lineage, site, period): (met, rated)}."""

    def __init__(self):
        super().__init__()
        self.table: dict[tuple[str, str, str], str] = {}
        self.markers: dict[tuple[str, str, str], tuple[int, int]] = {}
        self.group = self.site = self.figure = self.series = None
        self.cell: tuple[str, str, str] | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody" and (a.get("id") or "").startswith("rollup-"):
            self.group = a["id"].removeprefix("rollup-")
        elif tag == "tr" and self.group:
            self.site = a.get("data-site")
        elif tag == "td" and self.group and a.get("data-period"):
            self.cell = (self.group, self.site, a["data-period"])
            self.text = ""
        elif tag == "figure" and (a.get("id") or "").startswith("fm-"):
            self.figure = a["id"].removeprefix("fm-")
        elif tag == "g" and self.figure and a.get("data-site"):
            self.series = a["data-site"]
        elif tag == "path" and self.series and a.get("data-period"):
            key = (self.figure, self.series, a["data-period"])
            self.markers[key] = (int(a["data-met"]), int(a["data-rated"]))

    def handle_endtag(self, tag):
        if tag == "td" and self.cell:
            self.table[self.cell] = self.text.strip()
            self.cell = None
        elif tag == "tbody":
            self.group = None
        elif tag == "figure":
            self.figure = None
        elif tag == "g":
            self.series = None

    def handle_data(self, data):
        if self.cell:
            self.text += data


def rollup_cells(html: str):
    parser = _Cells()
    parser.feed(html)
    return parser.table, parser.markers


def text_of(html: str) -> str:
    """The page's words without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
