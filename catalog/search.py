"""What fans type into the OST search, read as they mean it (issue 13, item 4).

- Names match with or without their spaces, hyphens, dots and brackets: "straykids", "g-idle", "gidle",
  "스트레이키즈" and "여자아이들" (stored as "(여자)아이들") find their groups. The names that have such separators are
  few enough to keep in memory (`separated_names`); the rest are found through the search index as before.
- A year ("2022") matches the release year; placement words ("opening", "ending 13", "OST Part 4", "insert song")
  match the place in the soundtrack and its number (`read_query`).
- An empty result offers the closest name ("Did you mean …"): trigram similarity on PostgreSQL (pg_trgm), difflib
  over the names in memory on SQLite (`suggest`).
"""

import difflib
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, F, Value

from ostsite.page_cache import LISTS, SITE, cached, versions

from .models import OST, Alias, Group, GroupName, Member, Show

# Everything but letters and digits (of any script): spaces, hyphens, dots, brackets, apostrophes…
SEPARATORS = re.compile(r"[\W_]+")
YEAR = re.compile(r"(19|20)\d\d")
NUMBER = re.compile(r"(?:#|no\.?)?(\d{1,3})(?:st|nd|rd|th)?")

# The words for a place in the soundtrack. "Insert song" is what K-drama soundtracks call their numbered parts.
PLACEMENT_WORDS = {
    "opening": OST.Placement.OPENING,
    "openings": OST.Placement.OPENING,
    "ending": OST.Placement.ENDING,
    "endings": OST.Placement.ENDING,
    "part": OST.Placement.OST_PART,
    "insert": OST.Placement.OST_PART,
    "special": OST.Placement.SPECIAL,
}
# Words that may follow a placement word and add nothing to it ("opening theme", "insert song").
PLACEMENT_TAILS = {"theme", "themes", "song", "songs", "track", "tracks"}
# Every song here is an OST: the word alone narrows nothing ("skz ost").
FILLERS = {"ost", "osts", "o.s.t", "o.s.t."}

# A word shorter than this (after squashing) is not looked up among the separated names: it would match most.
MIN_SQUASHED = 3
# A squashed word that matches more names than this is too vague to add them; the search index still applies.
MAX_NAME_MATCHES = 1000


def squash(text):
    """Lower case without separators, to compare names as fans type them: "(G)I-DLE" and "g-idle" are "gidle"."""
    return SEPARATORS.sub("", text.casefold())


def min_squashed(key):
    # Two Hangul syllables ("키즈") say as much as three Latin letters.
    return 2 if any(ord(char) > 0x2FF for char in key) else MIN_SQUASHED


@dataclass(frozen=True)
class Term:
    """One part of a query: a `word` to find in names, a `year`, or a `placement` (with its `number`)."""

    word: str = ""
    year: int | None = None
    placement: str = ""
    number: int | None = None


def read_query(value):
    """The terms of a search, in order: "ending 13 2021" is a placement with its number, then a year."""
    tokens = value.split()
    folded = [token.casefold() for token in tokens]
    terms, i = [], 0
    while i < len(tokens):
        token = folded[i]
        following = folded[i + 1] if i + 1 < len(tokens) else ""
        if token in FILLERS:
            i += 1
            continue
        placement, word = PLACEMENT_WORDS.get(token), tokens[i]
        if token == "main" and following in ("theme", "themes"):
            placement, word, i = OST.Placement.MAIN_THEME, f"{tokens[i]} {tokens[i + 1]}", i + 1
        if placement:
            i += 1
            if i < len(tokens) and folded[i] in PLACEMENT_TAILS:
                i += 1
            number = None
            if i < len(tokens) and (match := NUMBER.fullmatch(folded[i])):
                number, i = int(match[1]), i + 1
            terms.append(Term(word=word, placement=placement, number=number))
        elif YEAR.fullmatch(token):
            terms.append(Term(word=tokens[i], year=int(token)))
            i += 1
        else:
            terms.append(Term(word=tokens[i]))
            i += 1
    return terms


# Names in memory ---------------------------------------------------------------------------------------------

KINDS = ("group", "member", "show")


def _name_rows(with_titles=False):
    """(kind, pk, name) of every name a group, idol or show goes by (and every OST title), in one query."""

    def rows(queryset, kind, pk, field):
        # Annotation names no model has as a field.
        return queryset.order_by().annotate(
            name_kind=Value(kind, output_field=CharField()), entry_pk=F(pk), name_text=F(field)
        ).values_list("name_kind", "entry_pk", "name_text")

    parts = [
        rows(Group.objects.all(), "group", "pk", "name"),
        rows(Group.objects.exclude(native_name=""), "group", "pk", "native_name"),
        rows(Group.objects.exclude(alternative_names=""), "group", "pk", "alternative_names"),
        rows(GroupName.objects.all(), "group", "group_id", "name"),
        rows(GroupName.objects.exclude(native_name=""), "group", "group_id", "native_name"),
        rows(Alias.objects.filter(group__isnull=False), "group", "group_id", "name"),
        rows(Member.objects.all(), "member", "pk", "stage_name"),
        rows(Member.objects.exclude(native_name=""), "member", "pk", "native_name"),
        rows(Alias.objects.filter(member__isnull=False), "member", "member_id", "name"),
        rows(Show.objects.all(), "show", "pk", "title"),
        rows(Show.objects.exclude(original_title=""), "show", "pk", "original_title"),
        rows(Show.objects.exclude(alternative_titles=""), "show", "pk", "alternative_titles"),
    ]
    if with_titles:
        parts.append(rows(OST.objects.all(), "ost", "pk", "title"))
    first, *rest = parts
    for kind, pk, text in first.union(*rest, all=True):
        # Alternative names and titles are comma separated.
        for name in text.split(",") if kind in ("group", "show") else [text]:
            name = name.strip()
            if name:
                yield kind, pk, name


def _build_separated_names():
    """{kind: [(squashed name, pk)]} for the names that have separators, which the search index cannot join up."""
    found = {kind: [] for kind in KINDS}
    for kind, pk, name in _name_rows():
        key = squash(name)
        if key and key != name.casefold():
            found[kind].append((key, pk))
    return found


_memo = {}


def _in_memory(key, build, lists=False):
    """`cached(key, build)`, also kept in this process for the current versions: read on every search."""
    current = (key, *versions(SITE, *([LISTS] if lists else [])))
    if _memo.get(key, (None,))[0] != current:
        _memo[key] = (current, cached(key, build, lists=lists))
    return _memo[key][1]


def separated_names():
    return _in_memory("search-separated-names", _build_separated_names)


def name_matches(word):
    """{kind: [pk]} of the groups, idols and shows with a separated name containing `word`, squashed."""
    key = squash(word)
    if len(key) < min_squashed(key):
        return {kind: [] for kind in KINDS}
    matches = {}
    for kind, names in separated_names().items():
        pks = sorted({pk for name, pk in names if key in name})
        matches[kind] = pks if len(pks) <= MAX_NAME_MATCHES else []
    return matches


# Did you mean ------------------------------------------------------------------------------------------------

# How close a name must be to be offered (difflib's ratio, pg_trgm's similarity).
CLOSE_ENOUGH = 0.75
TRIGRAM_CLOSE_ENOUGH = 0.3


def _build_suggestion_names():
    """{"names": {squashed name: name as shown}, "words": {squashed word: word as shown}} of every name and OST
    title, and of the words in them."""
    names, words = {}, {}
    for _kind, _pk, name in _name_rows(with_titles=True):
        names.setdefault(squash(name), name)
        for word in name.split():
            key = squash(word)
            if len(key) >= min_squashed(key):
                words.setdefault(key, word)
    return {"names": names, "words": words}


def suggest(query):
    """The closest name or title to `query` as a search to offer instead, or None when none is close."""
    text = " ".join(term.word for term in read_query(query) if term.year is None and not term.placement)
    if not squash(text):
        return None
    found = _closest_by_trigrams(text) if connection.vendor == "postgresql" else _closest_name_in_memory(text)
    if found is None or len(found.split()) < len(text.split()):
        # No name close, or none as long: each word corrected on its own keeps them all ("seungmim close").
        found = _closest_word_by_word(text) or found
    if found is None or squash(found) == squash(text):
        return None
    # The terms that were read as a year or a placement stay as typed.
    kept = [term.word if term.number is None else f"{term.word} {term.number}"
            for term in read_query(query) if term.year is not None or term.placement]
    return " ".join([found, *kept])


def suggestion_names():
    return _in_memory("search-suggestion-names", _build_suggestion_names, lists=True)


def _closest_name_in_memory(text):
    names = suggestion_names()["names"]
    close = difflib.get_close_matches(squash(text), names.keys(), n=1, cutoff=CLOSE_ENOUGH)
    return names[close[0]] if close else None


def _closest_word_by_word(text):
    """A word found in some name stays, any other takes the closest word of a name; None when nothing changed
    or a word has nothing close."""
    vocabulary = suggestion_names()
    names, words = vocabulary["names"], vocabulary["words"]
    corrected, changed = [], False
    for word in text.split():
        key = squash(word)
        if not key or key in words or any(key in name for name in names):
            corrected.append(word)
            continue
        close = difflib.get_close_matches(key, words.keys(), n=1, cutoff=CLOSE_ENOUGH)
        if not close:
            return None
        corrected.append(words[close[0]])
        changed = True
    return " ".join(corrected) if changed else None


def _closest_by_trigrams(text):
    from django.contrib.postgres.search import TrigramSimilarity

    def closest(queryset, field):
        return (
            queryset.order_by()
            .annotate(name_text=F(field), similarity=TrigramSimilarity(field, text))
            .filter(similarity__gte=TRIGRAM_CLOSE_ENOUGH)
            .values_list("name_text", "similarity")
        )

    first, *rest = [
        closest(Group.objects.all(), "name"),
        closest(GroupName.objects.all(), "name"),
        closest(Alias.objects.all(), "name"),
        closest(Member.objects.all(), "stage_name"),
        closest(Show.objects.all(), "title"),
        closest(OST.objects.all(), "title"),
    ]
    best = first.union(*rest, all=True).order_by("-similarity").first()
    return best[0] if best else None
