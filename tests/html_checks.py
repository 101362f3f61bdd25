"""A11Y-02 checks on a page's HTML: unique ids, real targets for labels and ARIA references."""

from __future__ import annotations

from html.parser import HTMLParser


class PageStructure(HTMLParser):
    """Collects ids, label targets, ARIA references and forms placed inside <p>."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[str] = []
        self.open_p = 0
        self.form_in_p = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.references.append(attrs["for"])
        for key in ("aria-describedby", "aria-labelledby"):
            self.references.extend((attrs.get(key) or "").split())
        if tag == "p":
            self.open_p += 1
        if tag in ("form", "div", "table", "ul", "section") and self.open_p:
            self.form_in_p = True

    def handle_endtag(self, tag):
        if tag == "p" and self.open_p:
            self.open_p -= 1


def assert_well_formed(html: str, url: str) -> None:
    parser = PageStructure()
    parser.feed(html)
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, (url, duplicates)
    missing = [r for r in parser.references if r not in parser.ids]
    assert not missing, (url, missing)
    assert not parser.form_in_p, f"{url}: a block element inside <p>"
