"""The years at a glance: how many OSTs came out each year, split by group or by kind of show.

`build_timeline(by)` makes everything the timeline page shows (its chart, its table, its note on the songs whose
year is not known) and its JSON twin, from one grouped count query (`OSTQuerySet.per_year`) and the names of
the groups drawn. The view caches it under the lists version, which every change to an OST bumps.

The chart is drawn with horizontal bars, one per year, in an SVG whose widths are percentages: it fills a
phone's screen or a desktop column without scaling its text.
"""

from collections import defaultdict
from urllib.parse import urlencode

from .models import OST, Group, Show, fixed_url

# ?by= values and what the page calls them.
SPLITS = {"group": "By group", "kind": "By kind of show"}
DEFAULT_SPLIT = "group"
# At most this many series are drawn; the smaller ones share one "other" series, which links nowhere.
MAX_SERIES = 12
# The songs without a known year are named, up to this many.
UNKNOWN_NAMED = 10
# Years in a row are drawn with the empty ones between them, unless they span more than this.
MAX_SPAN = 30

# Bar colours, told apart by hue and, in turn, by lightness. Each has at least 3:1 contrast with the chart's
# background in both themes (#ffffff and #201c26, also #faf7fb) and at least 4.5:1 with the black counts
# written on it.
PALETTE = [
    "#bf5c8f", "#598de2", "#359a54", "#ca7620", "#15959b", "#d5666a",
    "#916dca", "#949404", "#098fbd", "#b48427", "#049a78", "#b36fc2",
]
OTHER_COLOUR = "#8b8b8b"
KIND_COLOURS = {
    Show.Kind.KDRAMA: PALETTE[0], Show.Kind.ANIME: PALETTE[1],
    Show.Kind.WEB_DRAMA: PALETTE[2], Show.Kind.ANIMATED_SERIES: PALETTE[3],
}

# The chart's geometry, in px: each year is a row with its label line above its bar.
ROW_HEIGHT = 64
LABEL_BASELINE = 18
BAR_TOP = 26
BAR_HEIGHT = 30


def ost_list_url(**params):
    """The OST list filtered by `params` (the OST list's own filter names: year, group, type)."""
    return f"{fixed_url('catalog:ost-list')}?{urlencode(params)}"


def songs(n):
    return f"{n} song{'' if n == 1 else 's'}"


def percent(value):
    return f"{round(value, 3):g}%"


def make_series(by, totals, dated):
    """The series, {key, label, colour, param}: groups with the most songs in the chart first (then those whose
    songs all lack a year), kinds of show in their usual order."""
    if by == "group":
        groups = sorted(
            Group.objects.filter(pk__in=totals).only("name", "slug"),
            key=lambda g: (-dated[g.pk], -totals[g.pk], g.name.lower()),
        )
        if len(groups) > MAX_SERIES:
            groups = groups[: MAX_SERIES - 1]
        return [
            {"key": group.pk, "label": group.name, "colour": PALETTE[i % len(PALETTE)], "param": {"group": group.slug}}
            for i, group in enumerate(groups)
        ]
    return [
        {"key": value, "label": label, "colour": KIND_COLOURS[value], "param": {"type": value}}
        for value, label in Show.Kind.choices
        if totals.get(value)
    ]


def build_timeline(by):
    """What the timeline page shows, split `by` "group" or "kind" (see the module docstring). Plain data, cached."""
    rows = OST.objects.published().per_year(by)
    totals, dated = defaultdict(int), defaultdict(int)
    for year, key, n in rows:
        totals[key] += n
        if year is not None:
            dated[key] += n
    series = make_series(by, totals, dated)
    index = {entry["key"]: i for i, entry in enumerate(series)}
    counts = defaultdict(int)  # (year, series index) -> songs
    other = None
    for year, key, n in rows:
        if key not in index:
            # A small group beyond the ones drawn (or a kind of show not among the choices): counted, not dropped.
            if other is None:
                other = len(series)
                series.append({
                    "key": None, "label": "Other groups" if by == "group" else "Other kinds",
                    "colour": OTHER_COLOUR, "param": None,
                })
            i = other
        else:
            i = index[key]
        counts[year, i] += n
    for i, entry in enumerate(series):
        entry["total"] = sum(n for (_year, j), n in counts.items() if j == i)
        # Only the series with a song in the chart have a colour to explain.
        entry["in_chart"] = any(n for (year, j), n in counts.items() if j == i and year is not None)
        entry["url"] = ost_list_url(**entry["param"]) if entry["param"] else None

    known = sorted({year for year, _i in counts if year is not None})
    if known and known[-1] - known[0] <= MAX_SPAN:
        known = list(range(known[0], known[-1] + 1))
    year_totals = {year: sum(counts[year, i] for i in range(len(series))) for year in [*known, None]}
    widest = max((year_totals[year] for year in known), default=0)

    bars = []
    for row, year in enumerate(known):
        top = row * ROW_HEIGHT
        segments, start = [], 0
        for i, entry in enumerate(series):
            n = counts[year, i]
            if not n:
                continue
            width = n / widest * 100
            segments.append({
                "label": f"{entry['label']}, {year}: {songs(n)}",
                "count": n,
                "colour": entry["colour"],
                "url": ost_list_url(year=year, **entry["param"]) if entry["param"] else None,
                "x": percent(start),
                "width": percent(width),
                "middle": percent(start + width / 2),
                # Room for the number inside the bar at phone width (about 22 px per digit and margin).
                "show_count": width >= 7 * len(str(n)),
            })
            start += width
        total = year_totals[year]
        bars.append({
            "year": year, "total": total, "total_label": songs(total),
            "url": ost_list_url(year=year) if total else None,
            "segments": segments,
            "label_y": top + LABEL_BASELINE, "bar_y": top + BAR_TOP, "count_y": top + BAR_TOP + BAR_HEIGHT // 2 + 5,
            "link_y": top, "link_height": BAR_TOP - 2,
        })

    unknown_total = year_totals[None]
    unknown = {
        "total": unknown_total,
        "by": [(entry["label"], counts[None, i]) for i, entry in enumerate(series) if counts[None, i]],
        "named": [],
        "more": 0,
    }
    if unknown_total:
        named = OST.objects.published().filter(release_year__isnull=True).only("title", "slug")[:UNKNOWN_NAMED]
        unknown["named"] = [(ost.title, ost.get_absolute_url()) for ost in named]
        unknown["more"] = unknown_total - len(unknown["named"])

    table = [
        {
            "label": entry["label"], "colour": entry["colour"], "total": entry["total"], "url": entry["url"],
            "cells": [
                {"count": counts[year, i], "url": ost_list_url(year=year, **entry["param"])
                 if entry["param"] and counts[year, i] else None}
                for year in known
            ],
            "unknown": counts[None, i],
        }
        for i, entry in enumerate(series)
    ]
    return {
        "by": by,
        "series": series,
        "years": known,
        "bars": bars,
        "chart_height": len(bars) * ROW_HEIGHT,
        "bar_height": BAR_HEIGHT,
        "table": table,
        "year_totals": [{"year": year, "total": year_totals[year], "url": ost_list_url(year=year)} for year in known],
        "unknown": unknown,
        "total": sum(totals.values()),
        "dated": sum(year_totals[year] for year in known),
    }
