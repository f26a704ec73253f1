"""The GET filter forms of the OST and show lists (django-filter)."""

import copy

import django_filters
from django import forms
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.http import QueryDict

from ostsite.page_cache import cached

from .models import OST, Agency, Group, GroupName, Language, Member, Membership, Network, Show
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
    """Titles (native and alternative ones too), group (current and earlier), member and show names; every word
    must match.

    `broad` is for a search known to match many OSTs: SQLite's OR optimisation would gather and sort
    every match to show one page, so the condition is hidden from it in a CASE, and SQLite walks the
    date index instead, stopping after a page. For a narrow search the optimisation is the fast way. PostgreSQL
    plans it well either way, and the CASE would cost it its trigram indexes (4.5 s at 100,000 OSTs).
    """
    condition = Q()
    for word in value.split():
        # The names live in small tables: find the matching groups, shows and members once (uncorrelated
        # subqueries), so the big OST table is only compared by id.
        # A group is found by every name it has had (a few rows: no index needed).
        renamed = GroupName.objects.filter(Q(name__icontains=word) | Q(native_name__icontains=word)).values("group")
        groups = Group.objects.filter(
            containing(Group, word, "name", "native_name", "alternative_names") | Q(pk__in=renamed)
        )
        shows = Show.objects.filter(containing(Show, word, "title", "original_title", "alternative_titles"))
        members = Member.objects.filter(containing(Member, word, "stage_name", "native_name")).values("pk")
        sang_it = OST.singers.through.objects.filter(member__in=members).values("ost")
        # Whole-group songs count only for members who were in the group at the release.
        in_lineup = Membership.objects.filter(group=OuterRef("artist"), member__in=members).at_release(
            OuterRef("released_on"), OuterRef("release_year"), OuterRef("first_aired_on")
        )
        groups_with_member = Membership.objects.filter(member__in=members).values("group")
        condition &= (
            containing(OST, word, "title", "native_title", "alternative_titles")
            | Q(artist__in=groups.values("pk"))
            | Q(show__in=shows.values("pk"))
            | Q(pk__in=sang_it)
            | Q(sung_by_whole_group=True, artist__in=groups_with_member) & Exists(in_lineup)
        )
    if broad and connection.vendor == "sqlite":
        return queryset.filter(Case(When(condition, then=Value(True)), default=Value(False)))
    return queryset.filter(condition)


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

        A chosen value stays listed even when it is not among the options given (long lists are cut).
        """
        fields = self.form.fields
        self.form.is_valid()  # cleaned_data then holds the valid fields, even when others are not.
        chosen = getattr(self.form, "cleaned_data", {})
        for name, choices in options.items():
            choices = list(choices)
            value = chosen.get(name)
            if value is not None and value != "":
                key = getattr(value, fields[name].to_field_name, None) if hasattr(value, "_meta") else value
                if str(key) not in {str(v) for v, _ in choices}:
                    choices.append((key, str(value)))
            fields[name].widget.options = (("", "Any"), *choices)


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
    ordering = OSTOrderingFilter(
        fields=(("release_year", "year"), ("title", "title"), ("created_at", "added")),
        field_labels={"release_year": "Release year", "title": "Title", "created_at": "Date added"},
        label="Sort by",
        empty_label="Newest first",
    )

    class Meta:
        model = OST
        fields = []

    def set_options(self, options):
        """Fill the selects from `filter_options()` and the chosen group's members."""
        super().set_options(options)
        group = getattr(self.form, "cleaned_data", {}).get("group")
        members = []
        if group:
            members = cached(f"members-of-{group.pk}", lambda: list(group.members.values_list("slug", "stage_name")))
        super().set_options({"member": members})

    # Set by the list view once it knows the search matches many OSTs (see search_osts).
    broad_search = False

    def filter_q(self, queryset, name, value):
        return search_osts(queryset, value, broad=self.broad_search)

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


def filter_options(facets):
    """Each select's options, labelled with how many OSTs they hold ("Anime (6)"), from `facet_counts()`."""
    options = {
        name: [(value, f"{label} ({facets[name].get(value, 0)})") for value, label in choices]
        for name, choices in (("type", Show.Kind.choices), ("role", OST.Placement.choices))
    }
    years = sorted((year for year in facets["year"] if year), reverse=True)
    options["year"] = [(year, f"{year} ({facets['year'][year]})") for year in years]
    for name, model, key in (
        ("group", Group, "slug"),
        ("show", Show, "slug"),
        ("network", Network, "slug"),
        ("agency", Agency, "slug"),
        ("language", Language, "code"),
    ):
        counts = facets[name]
        top = sorted((pk for pk in counts if pk is not None), key=lambda pk: -counts[pk])[:MAX_OPTIONS]
        options[name] = [(getattr(obj, key), f"{obj} ({counts[obj.pk]})") for obj in model.objects.filter(pk__in=top)]
    return options


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
        if value in (None, "", []) or name == "ordering":
            continue
        field = form.fields[name]
        if name == "q":
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
