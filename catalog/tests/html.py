"""Read what a page says to machines (head tags, JSON-LD) and to people (h1, breadcrumbs, lineup) with the stdlib parser."""

import json
from html.parser import HTMLParser


class PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta = {}  # name or property -> [content, ...]
        self.links = []  # attribute dicts of <link> elements
        self.json_ld = []
        self.h1 = ""
        self.breadcrumbs = []  # (text, href or None)
        self.chips = []  # (member name, classes, href)
        self._open = []  # what we are inside of: "title", "h1", "ld", "crumb", "chip-name", "h1-native"
        self._text = ""
        self._href = None
        self._chip = None
        self._in_breadcrumbs = False
        # The page's title is the one in <head>; an SVG in the body has <title>s of its own (a chart's parts).
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "body":
            self._in_body = True
        elif tag == "title" and not self._in_body:
            self._start("title")
        elif tag == "meta" and attrs.get("content") is not None:
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs["content"])
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._start("ld")
        elif tag == "h1":
            self._start("h1")
        elif tag == "span" and "native" in classes and self._open[-1:] == ["h1"]:
            self._open.append("h1-native")
        elif tag == "nav" and "breadcrumbs" in classes:
            self._in_breadcrumbs = True
        elif tag == "li" and self._in_breadcrumbs:
            self._start("crumb")
            self._href = None
        elif tag == "a" and self._in_breadcrumbs:
            self._href = attrs.get("href")
        elif tag == "li" and "chip" in classes:
            self._chip = {"classes": classes, "href": None}
        elif tag == "a" and self._chip is not None and self._chip["href"] is None:
            self._chip["href"] = attrs.get("href")
        elif tag == "span" and "chip-name" in classes:
            self._start("chip-name")
        elif tag == "span" and "native" in classes and self._open[-1:] == ["chip-name"]:
            self._open.append("chip-native")

    def handle_endtag(self, tag):
        if tag == "span" and self._open[-1:] in (["h1-native"], ["chip-native"]):
            self._open.pop()
            return
        if not self._open:
            if tag == "nav":
                self._in_breadcrumbs = False
            return
        what = self._open[-1]
        ends = {"title": "title", "ld": "script", "h1": "h1", "crumb": "li", "chip-name": "span"}
        if ends.get(what) != tag:
            return
        self._open.pop()
        text = " ".join(self._text.split())
        if what == "title":
            self.title = text
        elif what == "ld":
            self.json_ld.append(json.loads(self._text))
        elif what == "h1":
            self.h1 = text
        elif what == "crumb":
            self.breadcrumbs.append((text, self._href))
        elif what == "chip-name":
            self.chips.append((text, self._chip["classes"], self._chip["href"]))
            self._chip = None

    def handle_data(self, data):
        if self._open and self._open[-1] not in ("h1-native", "chip-native"):
            self._text += data

    def _start(self, what):
        self._open.append(what)
        self._text = ""

    def ld(self, kind):
        """The JSON-LD object of one @type."""
        found = [data for data in self.json_ld if data.get("@type") == kind]
        assert len(found) == 1, f"{len(found)} {kind} objects in {self.json_ld}"
        return found[0]

    def link(self, rel):
        return [attrs for attrs in self.links if attrs.get("rel") == rel]


def read_page(response):
    reader = PageReader()
    reader.feed(response.content.decode())
    reader.close()
    return reader
