"""Reading pages the way a screen reader meets them: tables, their headers and text."""

from __future__ import annotations

import re
from html.parser import HTMLParser


def text_of(html: str) -> str:
    """The words of a page; tags count as spaces, but not before punctuation."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([:;,.)])", r"\1", text).strip()


class Tables(HTMLParser):
    """Every <table> as {"attrs", "caption", "head": [cells], "bodies": [{"attrs", "rows"}]};
    a cell is (tag, attrs, text); visually hidden text counts, as for a screen reader."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list | None = None
        self._in_caption = False
        self._row: list | None = None
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append({"attrs": attrs, "caption": "", "head": [], "bodies": []})
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            table["bodies"].append({"attrs": attrs, "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = [tag, attrs, ""]

    def handle_endtag(self, tag):
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            self._cell[2] = re.sub(r"\s+", " ", self._cell[2]).strip()
            if self._row is not None:
                self._row.append(tuple(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                table["head"] = self._row
            elif table["bodies"]:
                table["bodies"][-1]["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._in_caption and self._stack:
            self._stack[-1]["caption"] += data
        if self._cell is not None:
            self._cell[2] += data


def tables_of(html: str) -> list[dict]:
    return Tables(html).tables
