#!/usr/bin/env python3
"""Writes the sources of the fixture's facts into fixtures/catalog.json, from ../shared/facts/.

Each table cell of the fact sheets names the sources of its fact ([G12], [S4]…); a cell marked unsure ([U]) is left
out, as the fixture leaves that fact out. (The sources of aliases, which the sheets do not list, are kept as they are.)
For every entry (group, member, membership, show, OST) each source page
becomes one Source row saying which facts it supports. Run again after the fact sheets change: it replaces the
fixture's sources and nothing else.

    python3 scripts/fixture_sources.py [--facts ../shared/facts]
"""

import argparse
import json
import re
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "catalog.json"
TAG = re.compile(r"\[([A-Z0-9,\s]+)\]")
SOURCE_LINE = re.compile(r"^- ([GS]\d+) (.+)$")

GROUP_COLUMNS = ["name", "native name", "kind", "agency", "debut date", "leader"]
ROSTER_MEMBER = {0: "stage name", 1: "native name"}
ROSTER_MEMBERSHIP = {2: "status", 3: "position"}
SHOW_COLUMNS = ["title", "kind", "original title", "network", "country", "air dates and episodes", "source work and writers"]
OST_COLUMNS = [None, "title", "show", "singers", "language", "release date", "placement", "credits"]


def source_urls(text):
    """{"G1": ["https://…"], …} from a sheet's numbered source list."""
    urls = {}
    for line in text.splitlines():
        if match := SOURCE_LINE.match(line.strip()):
            urls[match[1]] = [part.split(" (")[0].strip() for part in match[2].split(" ; ") if part.startswith("http")]
    return urls


def tags(cell):
    """The source numbers a table cell cites, none if the cell is unsure."""
    if cell.strip().startswith("[U]"):
        return []
    found = []
    for group in TAG.findall(cell):
        found += [tag.strip() for tag in group.split(",") if re.fullmatch(r"[GS]\d+", tag.strip())]
    return found


def rows(lines):
    for line in lines:
        line = line.strip()
        if line.startswith("|") and not line.startswith("|---"):
            yield [cell.strip() for cell in line.strip("|").split("|")]


def name_key(text):
    """A cell's or an entry's name, comparable: no tags, no notes, lower case, no punctuation."""
    text = TAG.sub("", text).split("(")[0].split(";")[0]
    return re.sub(r"[^\w]", "", text.casefold())


class Sources:
    def __init__(self, fixture):
        self.entries = {}  # (model, pk) -> {url: [facts]}
        self.by_model = {}
        for obj in fixture:
            self.by_model.setdefault(obj["model"], []).append(obj)

    def cite(self, model, pk, cell_tags, fact, urls):
        for tag in cell_tags:
            for url in urls.get(tag, []):
                facts = self.entries.setdefault((model, pk), {}).setdefault(url, [])
                if fact not in facts:
                    facts.append(fact)

    def find(self, model, field, key):
        matches = [obj for obj in self.by_model[f"catalog.{model}"] if name_key(obj["fields"][field]) == key]
        return matches[0] if len(matches) == 1 else None

    def fixture_rows(self):
        rows = []
        for (model, pk), pages in sorted(self.entries.items()):
            for url, facts in pages.items():
                rows.append({
                    "model": "catalog.source",
                    "fields": {
                        "content_type": ["catalog", model],
                        "object_id": pk,
                        "url": url,
                        "title": urlparse(url).hostname.removeprefix("www."),
                        "accessed_on": None,
                        "supports": ", ".join(facts),
                    },
                })
        for pk, row in enumerate(rows, start=1):
            row["pk"] = pk
        return rows


def group_sheet(text, sources, missing):
    urls = source_urls(text)
    lines = text.splitlines()
    table_end = next(i for i, line in enumerate(lines) if line.startswith("### "))
    for cells in rows(lines[:table_end]):
        if cells[0] == "Group (stylised)":
            continue
        group = sources.find("group", "name", name_key(cells[0].replace("(G)I-DLE", "gidle")))
        if group is None:
            group = next((g for g in sources.by_model["catalog.group"]
                          if name_key(g["fields"]["name"]) in name_key(cells[0])), None)
        if group is None:
            missing.append(cells[0])
            continue
        for column, cell in enumerate(cells):
            sources.cite("group", group["pk"], tags(cell), GROUP_COLUMNS[column], urls)
    section, group = None, None
    for line in lines[table_end:]:
        if line.startswith("### "):
            section = line[4:].split(" — ")[0]
            group = next((g for g in sources.by_model["catalog.group"]
                          if name_key(g["fields"]["name"]) == name_key(section.replace("(G)I-DLE", "gidle"))
                          or g["fields"]["name"] == section), None)
            continue
        if group is None or not line.startswith("|") or line.startswith("|---") or "Stage name" in line:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        member = sources.find("member", "stage_name", name_key(cells[0])) or sources.find(
            "member", "native_name", name_key(cells[1])
        )
        membership = member and next(
            (m for m in sources.by_model["catalog.membership"]
             if m["fields"]["member"] == member["pk"] and m["fields"]["group"] == group["pk"]), None
        )
        if membership is None:
            missing.append(f"{section}: {cells[0]}")
            continue
        for column, fact in ROSTER_MEMBER.items():
            sources.cite("member", member["pk"], tags(cells[column]), fact, urls)
        for column, fact in ROSTER_MEMBERSHIP.items():
            sources.cite("membership", membership["pk"], tags(cells[column]), fact, urls)


def show_sheet(text, sources, missing):
    urls = source_urls(text)
    lines = text.splitlines()
    osts_at = next(i for i, line in enumerate(lines) if line.startswith("## 2."))
    for cells in rows(lines[:osts_at]):
        if cells[0] == "Show":
            continue
        show = sources.find("show", "title", name_key(cells[0]))
        if show is None:
            missing.append(cells[0])
            continue
        for column, cell in enumerate(cells):
            sources.cite("show", show["pk"], tags(cell), SHOW_COLUMNS[column], urls)
    end = next(i for i, line in enumerate(lines) if line.startswith("## 3."))
    for cells in rows(lines[osts_at:end]):
        if cells[0] == "#":
            continue
        # The sheet numbers the OSTs in the fixture's order.
        ost = next(o for o in sources.by_model["catalog.ost"] if o["pk"] == int(cells[0]))
        plain_cell = re.sub(r"[^\w]", "", cells[1].casefold())
        if name_key(ost["fields"]["title"]) not in plain_cell:
            missing.append(f"OST {cells[0]}: {cells[1]}")
            continue
        for column, cell in enumerate(cells[1:], start=1):
            if OST_COLUMNS[column] == "credits" and cell.startswith("none"):
                continue  # No idol credit: what it cites is about someone else.
            sources.cite("ost", ost["pk"], tags(cell), OST_COLUMNS[column], urls)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=Path, default=ROOT.parent / "shared" / "facts")
    args = parser.parse_args()
    everything = json.loads(FIXTURE.read_text())
    fixture = [obj for obj in everything if obj["model"] != "catalog.source"]
    # The sources of aliases are not in the sheets (each alias was added with the page that states it): kept.
    kept = [obj for obj in everything if obj["model"] == "catalog.source" and obj["fields"]["content_type"][1] == "alias"]
    sources, missing = Sources(fixture), []
    group_sheet((args.facts / "groups.md").read_text(), sources, missing)
    show_sheet((args.facts / "shows-and-osts.md").read_text(), sources, missing)
    cited = sources.fixture_rows()
    for pk, row in enumerate(kept, start=len(cited) + 1):
        row["pk"] = pk
    cited += kept
    FIXTURE.write_text(json.dumps(fixture + cited, ensure_ascii=False, indent=2) + "\n")
    print(f"{len(cited)} sources for {len(sources.entries)} entries written to {FIXTURE.relative_to(ROOT)}.")
    for name in missing:
        print(f"No fixture entry matches: {name}")


if __name__ == "__main__":
    main()
