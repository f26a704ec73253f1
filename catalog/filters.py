"""The GET filter forms of the OST and show lists (django-filter)."""

import copy
import hashlib
from typing import NamedTuple
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.http import QueryDict

from ostsite.page_cache import cached

from .fragments import catalogue_facets
from .models import OST, Agency, Alias, Group, GroupName, Language, Member, Membership, Network, OSTQuerySet, Show
from .search import name_matches, read_query
from .widgets import CachedOptionsSelect


def containing(model, word, *fields):
    """A filter for the rows of `model` with `word` inside one of `fields`, ignoring case.

    On SQLite, words of three characters or more go through the trigram index of migration 0006 (a
    LIKE '%word%' would read every row); shorter ones, which a trigram index cannot look up, and other
    databases use `icontains` (on PostgreSQL, pg_trgm indexes serve it).
    """
    if connection.vendor == "sqlite" and len(word) >= 3:
        index = f"{model._meta.db_table}_search"
        phrase = '"{}"'.format(word.replace('"', '""'))
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {index} WHERE {index} MATCH %s", [phrase]))
    matches = Q()
    for field in fields:
        matches |= Q(**{f"{field}__icontains": word})
    return matches


def search_osts(queryset, value, broad=False):
    """Titles (native and alternative ones too), group (current and earlier names, aliases), member (and aliases) and
    show names, with or without their spaces and hyphens; years; places in the soundtrack. Every term must match
    (catalog/search.py reads the terms).

    `broad` is for a search known to match many OSTs: SQLite's OR optimisation would gather and sort
    every match to show one page, so the condition is hidden from it in a CASE, and SQLite walks the
    date index instead, stopping after a page. For a narrow search the optimisation is the fast way. PostgreSQL
    plans it well either way, and the CASE would cost it its trigram indexes (4.5 s at 100,000 OSTs).
    """
    condition = Q()
    for term in read_query(value):
        if term.placement and term.number is not None:
            condition &= Q(placement=term.placement, placement_number=term.number)
        elif term.placement:
            condition &= Q(placement=term.placement) | word_condition(term.word)
        elif term.year is not None:
            condition &= Q(release_year=term.year) | word_condition(term.word)
        else:
            condition &= word_condition(term.word)
    if broad and connection.vendor == "sqlite":
        return queryset.filter(Case(When(condition, then=Value(True)), default=Value(False)))
    return queryset.filter(condition)


def word_condition(word):
    """The OSTs one word of a search finds: in their titles, or in the names of their group, singers or show."""
    # The names live in small tables: find the matching groups, shows and members once (uncorrelated
    # subqueries), so the big OST table is only compared by id.
    # Names with spaces or hyphens typed without them ("straykids", "g-idle"): see catalog/search.py.
    squashed = name_matches(word)
    # A group is found by every name it has had, and by its aliases (a few rows: no index needed).
    renamed = GroupName.objects.filter(Q(name__icontains=word) | Q(native_name__icontains=word)).values("group")
    group_aliases = Alias.objects.filter(name__icontains=word, group__isnull=False).values("group")
    groups = Group.objects.filter(
        containing(Group, word, "name", "native_name", "alternative_names")
        | Q(pk__in=renamed) | Q(pk__in=group_aliases) | Q(pk__in=squashed["group"])
    )
    shows = Show.objects.filter(
        containing(Show, word, "title", "original_title", "alternative_titles") | Q(pk__in=squashed["show"])
    )
    member_aliases = Alias.objects.filter(name__icontains=word, member__isnull=False).values("member")
    members = Member.objects.filter(
        containing(Member, word, "stage_name", "native_name") | Q(pk__in=member_aliases) | Q(pk__in=squashed["member"])
    ).values("pk")
    sang_it = OST.singers.through.objects.filter(member__in=members).values("ost")
    # Whole-group songs count only for members who were in the group at the release.
    in_lineup = Membership.objects.filter(group=OuterRef("artist"), member__in=members).at_release(
        OuterRef("released_on"), OuterRef("release_year"), OuterRef("first_aired_on")
    )
    groups_with_member = Membership.objects.filter(member__in=members).values("group")
    return (
        containing(OST, word, "title", "native_title", "alternative_titles")
        | Q(artist__in=groups.values("pk"))
        | Q(show__in=shows.values("pk"))
        | Q(pk__in=sang_it)
        | Q(sung_by_whole_group=True, artist__in=groups_with_member) & Exists(in_lineup)
    )


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """Choose a related row by its slug, as fans share it in URLs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("empty_label", "Any")
        kwargs.setdefault("widget", CachedOptionsSelect)
        super().__init__(*args, **kwargs)


class OSTOrderingFilter(django_filters.OrderingFilter):
    """Sorts the same on SQLite and PostgreSQL: titles case-insensitively, unknown years last."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = self.param_map[param.lstrip("-")]
        expression = Lower(field) if field == "title" else F(field)
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        # A unique last key keeps pages stable when sort values tie.
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet without most of its set-up cost on every request (1.6 ms a list page,
    docs/benchmarks.md), and with the options of its selects set by the view (`set_options`).

    Nothing in our filters or their form fields depends on the request, so the filters are copied
    shallowly instead of deep-copied (querysets and all), and the form class is made once per filter set;
    each form still deep-copies its fields, as every Django form does.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, but for the copy.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = self._meta.model._default_manager.all() if queryset is None else queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = self.filters[name] = copy.copy(base)
            if base.method is not None:
                # The copy would share its original's FilterMethod, which finds the method on the original's
                # parent: setting the method again binds a new one to the copy.
                filter_.method = base.method
            filter_.model = self.queryset.model
            filter_.parent = self

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def set_options(self, options):
        """The options of the `CachedOptionsSelect` fields, {name: [(value, label), ...]}, after an "Any".

        An option may be (value, label, disabled), or an `Optgroup` of such options. A chosen value stays listed
        even when it is not among the options given (long lists are cut).
        """
        fields = self.form.fields
        self.form.is_valid()  # cleaned_data then holds the valid fields, even when others are not.
        chosen = getattr(self.form, "cleaned_data", {})
        for name, choices in options.items():
            choices = list(choices)
            value = chosen.get(name)
            if value is not None and value != "":
                key = getattr(value, fields[name].to_field_name, None) if hasattr(value, "_meta") else value
                if str(key) not in {str(option[0]) for option in flat_options(choices)}:
                    choices.append((key, str(value)))
            fields[name].widget.options = (("", "Any"), *choices)


def flat_options(options):
    """The (value, label[, disabled]) options of a list that may hold `Optgroup`s."""
    for option in options:
        if isinstance(option, Optgroup):
            yield from option.options
        else:
            yield option


class OSTFilter(FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_q", max_length=100)
    group = SlugChoiceFilter(field_name="artist", queryset=Group.objects.published(), label="Group")
    member = SlugChoiceFilter(queryset=Member.objects.all(), method="filter_member", label="Member")
    show = SlugChoiceFilter(field_name="show", queryset=Show.objects.published(), label="Show")
    type = django_filters.ChoiceFilter(
        choices=Show.Kind.choices, method="filter_type", empty_label="Any", label="Kind of show",
        widget=CachedOptionsSelect,
    )
    network = SlugChoiceFilter(queryset=Network.objects.all(), method="filter_network", label="Network")
    language = django_filters.ModelChoiceFilter(
        field_name="languages", queryset=Language.objects.all(), to_field_name="code", empty_label="Any",
        label="Language", method="filter_language", widget=CachedOptionsSelect,
    )
    role = django_filters.ChoiceFilter(
        field_name="placement", choices=OST.Placement.choices, empty_label="Any", label="Place in the soundtrack",
        widget=CachedOptionsSelect,
    )
    agency = SlugChoiceFilter(field_name="artist__agency", queryset=Agency.objects.all(), label="Agency")
    year = django_filters.NumberFilter(
        field_name="release_year", label="Year", min_value=1900, max_value=2100, widget=CachedOptionsSelect
    )
    # A box to tick: sent as written_by_idols=1, and not at all when it is not ticked.
    written_by_idols = django_filters.BooleanFilter(
        label="Written by the idols", method="filter_written_by_idols",
        widget=forms.CheckboxInput(attrs={"value": "1", "aria-describedby": "written-by-idols-hint"}),
    )
    ordering = OSTOrderingFilter(
        fields=(("release_year", "year"), ("title", "title"), ("created_at", "added")),
        field_labels={"release_year": "Release year", "title": "Title", "created_at": "Date added"},
        label="Sort by",
        empty_label="Newest first",
    )

    class Meta:
        model = OST
        fields = []

    def active_values(self):
        """{name: cleaned value} of the valid filters in use (the sort order is not a filter)."""
        self.form.is_valid()  # cleaned_data then holds the valid fields, even when others are not.
        return {
            name: value
            for name, value in getattr(self.form, "cleaned_data", {}).items()
            if name != "ordering" and value not in (None, "", [])
        }

    def matching(self, filters):
        """The public OSTs matched by `filters` ({name: cleaned value}), in no order."""
        queryset = OST.objects.published()
        for name, value in filters.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facet_counts(self):
        """{facet: {option: OSTs}}: for each filter with options, the counts over the OSTs matched by every
        *other* filter in use, i.e. how many the list would hold with that option chosen (standard faceting).

        One grouped query per facet (`OSTQuerySet.facet_count`), cached per combination of the other filters,
        and site-wide (shared by every page) when no other filter is in use.
        """
        active = self.active_values()
        counts = {}
        for name in OSTQuerySet.FACETS:
            others = {other: value for other, value in active.items() if other != name}
            if not others:
                counts[name] = catalogue_facets()[name]
                continue
            raw = sorted((other, self.data.get(other, "")) for other in others)
            key = f"ost-facet:{name}:" + hashlib.sha256(urlencode(raw).encode()).hexdigest()
            counts[name] = cached(key, lambda: self.matching(others).facet_count(name), lists=True)
        return counts

    def set_facet_options(self):
        """Fill the selects: every option labelled with the OSTs it would give among the other filters in use
        ("Anime (2)"), options giving none disabled unless chosen, the members under their groups."""
        names = cached("ost-filter-names", option_names, lists=True)
        self.set_options(filter_options(names, self.facet_counts(), self.data))

    def member_outside_group(self):
        """(member, group) when both are chosen and the member was never in the group, else None."""
        active = self.active_values()
        member, group = active.get("member"), active.get("group")
        if member is None or group is None:
            return None
        names = cached("ost-filter-names", option_names, lists=True)
        if any(pk == group.pk for pk, _slug, _name in names["group"]):
            # A listed group: its roster is known already.
            was_in = group.pk in names["groups_of"].get(member.pk, ())
        else:
            was_in = Membership.objects.filter(member=member, group=group).exists()
        return None if was_in else (member, group)

    # Set by the list view once it knows the search matches many OSTs (see search_osts).
    broad_search = False

    def filter_q(self, queryset, name, value):
        return search_osts(queryset, value, broad=self.broad_search)

    def filter_written_by_idols(self, queryset, name, value):
        return queryset.written_by_idols() if value else queryset

    def filter_member(self, queryset, name, member):
        return queryset.sung_by(member)

    def filter_type(self, queryset, name, kind):
        # Exists rather than a join: with a join on the show's kind index, SQLite sorts every OST of that
        # kind (a quarter of the catalogue) before taking one page, instead of walking the date index.
        return queryset.filter(Exists(Show.objects.filter(pk=OuterRef("show"), kind=kind)))

    def filter_network(self, queryset, name, network):
        also_on = Show.also_on.through.objects.filter(show=OuterRef("show"), network=network)
        return queryset.filter(Q(show__network=network) | Exists(also_on))

    def filter_language(self, queryset, name, language):
        # Exists rather than a join, so an OST never appears twice.
        return queryset.filter(Exists(OST.languages.through.objects.filter(ost=OuterRef("pk"), language=language)))


class ShowFilter(FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="kind", choices=Show.Kind.choices, empty_label="Any", label="Kind", widget=CachedOptionsSelect
    )
    network = SlugChoiceFilter(queryset=Network.objects.all(), method="filter_network", label="Network")
    # A text box, not type=number: a bad value typed into the URL is shown back as it was, and stays valid HTML.
    year = django_filters.NumberFilter(
        method="filter_year", label="Year aired", min_value=1900, max_value=2100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Show
        fields = []

    def filter_network(self, queryset, name, network):
        also_on = Show.also_on.through.objects.filter(show=OuterRef("pk"), network=network)
        return queryset.filter(Q(network=network) | Exists(also_on))

    def filter_year(self, queryset, name, year):
        return queryset.filter(
            Q(first_year=year) | Q(first_year__lte=year, last_year__gte=year)
        )


# Long option lists are cut to the biggest entries; any slug still works from a URL.
MAX_OPTIONS = 60


class Optgroup(NamedTuple):
    """A labelled group of options in a select (`CachedOptionsSelect`); `key` names it for scripts."""

    label: str
    key: str
    options: tuple


def option_names():
    """What the OST filters offer, before counts: {facet: [(id, value, label), ...]} in the order shown, the
    members as [(group label, group slug, [(id, value, label), ...]), ...] in roster order, and `groups_of`,
    {member id: {group ids}}. The long lists are cut to the `MAX_OPTIONS` holding the most OSTs site-wide.
    Made once per lists version."""
    facets = catalogue_facets()
    names = {
        "type": [(value, value, label) for value, label in Show.Kind.choices],
        "role": [(value, value, label) for value, label in OST.Placement.choices],
        "year": [(year, year, str(year)) for year in sorted((year for year in facets["year"] if year), reverse=True)],
    }
    for name, model, key in (
        ("group", Group, "slug"),
        ("show", Show, "slug"),
        ("network", Network, "slug"),
        ("agency", Agency, "slug"),
        ("language", Language, "code"),
    ):
        counts = facets[name]
        top = sorted((pk for pk in counts if pk is not None), key=lambda pk: -counts[pk])[:MAX_OPTIONS]
        names[name] = [(obj.pk, getattr(obj, key), str(obj)) for obj in model.objects.filter(pk__in=top)]
    listed = {pk for pk, _slug, _name in names["group"]}
    rosters, groups_of = {}, {}
    memberships = Membership.objects.filter(group__in=listed).select_related("member").order_by("order", "pk")
    for membership in memberships:
        member = membership.member
        rosters.setdefault(membership.group_id, []).append((member.pk, member.slug, member.stage_name))
        groups_of.setdefault(member.pk, set()).add(membership.group_id)
    names["member"] = [(label, slug, rosters.get(pk, [])) for pk, slug, label in names["group"]]
    names["groups_of"] = groups_of
    return names


def filter_options(names, counts, data):
    """Each select's options from `option_names()`, labelled with their counts from `facet_counts()`
    ("Anime (6)"). An option that would give no OST is disabled, unless it is the one chosen (`data`)."""

    def options(name, entries):
        chosen = data.get(name, "")
        return tuple(
            (value, f"{label} ({counts[name].get(pk, 0)})", not counts[name].get(pk) and str(value) != chosen)
            for pk, value, label in entries
        )

    result = {name: options(name, entries) for name, entries in names.items() if name not in ("member", "groups_of")}
    result["member"] = tuple(
        Optgroup(label, slug, options("member", members)) for label, slug, members in names["member"] if members
    )
    return result


def show_filter_options():
    """The show list's select options: every kind and every network."""
    return {"type": Show.Kind.choices, "network": list(Network.objects.values_list("slug", "name"))}


def active_filters(filterset, path):
    """The valid filters in use, each with a link that removes it (and resets the page)."""
    if not filterset.is_bound:
        return []
    form = filterset.form
    form.is_valid()  # cleaned_data then holds the valid fields, even when others are not.
    chips = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", []) or value is False or name == "ordering":
            continue
        field = form.fields[name]
        if value is True:
            display = "yes"
        elif name == "q":
            display = f"“{value}”"
        elif hasattr(value, "_meta"):
            display = str(value)
        elif "choices" in filterset.filters[name].extra:
            display = dict(filterset.filters[name].extra["choices"]).get(value, value)
        else:
            display = str(value)
        params = filterset.data.copy()
        params.pop(name, None)
        params.pop("page", None)
        query = params.urlencode()
        chips.append({"label": field.label, "value": display, "remove_url": f"{path}?{query}" if query else path})
    return chips
