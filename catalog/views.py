import datetime
import hashlib
import heapq
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.generic import ListView
from django_filters.views import FilterView

from comments.models import Comment
from comments.section import render_with_comments
from ostsite.page_cache import cache_page, cached

from . import drafts, exports
from .filters import OSTFilter, ShowFilter, active_filters, show_filter_options
from .fragments import also_on, catalogue_facets, earlier_names_of, lineup_of, ost_cards, soundtrack_of
from .models import OST, Cameo, Credit, Group, Member, Show, singers_in_roster_order
from .timeline import DEFAULT_SPLIT, SPLITS, build_timeline
from .search import suggest

# A group page names at most this many of the shows its idols sang for.
MAX_SHOWS = 30
# Detail pages have a JSON twin; the lists are also offered as CSV.
JSON_ONLY = ("json",)


def paginate(request, queryset, per_page):
    """The requested page of a related list; a page that does not exist is a 404, as on the list pages."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None


def busiest_groups_and_kinds():
    """The 24 groups with the most OSTs, the OST count of each kind of show and of each year (newest first, then
    the songs whose year is not known, as None), for the home page."""
    facets = catalogue_facets()
    counts = facets["group"]
    top_ids = heapq.nlargest(24, filter(None, counts), key=counts.get)
    years = sorted(((year, n) for year, n in facets["year"].items() if year is not None), reverse=True)
    # Songs whose year is not known are counted too (the timeline lists them).
    years += [(None, facets["year"][None])] if facets["year"].get(None) else []
    return [(group, counts[group.pk]) for group in Group.objects.published().filter(pk__in=top_ids)], facets["type"], years


@cache_page(lists=True)
def home(request):
    latest_ids = list(OST.objects.published().values_list("pk", flat=True)[:6])
    if not latest_ids:
        # A new site: one welcome instead of a row of empty lists.
        return render_with_comments(request, "catalog/home.html", {"empty_catalogue": True}, target=None)
    # Once per site version: on a big catalogue the site-wide counts run to thousands of entries.
    groups, kind_counts, year_counts = cached("home-browse-with-years", busiest_groups_and_kinds, lists=True)
    # Changes with every approved comment on an OST, which makes the home page stale too.
    discussed = cached("most-discussed", Comment.objects.most_discussed_osts, page=request.path)
    # Both rows' cards made in one go: one set of queries for the cards not cached yet.
    cards = ost_cards(latest_ids + [pk for pk, _n in discussed])
    context = {
        "latest_cards": [cards[pk] for pk in latest_ids if pk in cards],
        "most_discussed": [(cards[pk], n) for pk, n in discussed if pk in cards],
        "kind_counts": kind_counts,
        "kinds": Show.Kind,
        "groups": groups,
        "year_counts": year_counts,
    }
    return render_with_comments(request, "catalog/home.html", context, target=None)


@cache_page(lists=True)
def timeline(request):
    """OST releases per year, split by group or by kind of show (?by=group or kind): a chart and its table."""
    fmt = exports.requested_format(request, offered=JSON_ONLY)
    if fmt == "":
        return exports.unknown_format(JSON_ONLY)
    by = request.GET.get("by") or DEFAULT_SPLIT
    problem = None
    if by not in SPLITS:
        shown = "".join(ch for ch in by[:40] if ch.isprintable())
        problem = f"“{shown}” is not a way to split the timeline: choose by group (?by=group) or by kind of show (?by=kind)."
        if fmt == "json":
            return exports.json_response({"errors": {"by": [problem]}}, status=400)
        problem += " Here it is by group."
        by = DEFAULT_SPLIT
    data = cached(f"timeline:{by}", lambda: build_timeline(by), lists=True)
    if fmt == "json":
        return exports.json_response(exports.timeline_record(request, data))
    splits = [(value, label, f"{request.path}?by={value}") for value, label in SPLITS.items()]
    return render(request, "catalog/timeline.html", {"timeline": data, "splits": splits, "problem": problem})
def clean_query_url(request):
    """The address without its empty parameters (`?q=&group=stray-kids&member=` -> `?group=stray-kids`), when it
    has any, else None: a GET form sends every field, and shared links should carry only the filters in use."""
    pairs = [(name, value) for name, values in request.GET.lists() for value in values]
    kept = [(name, value) for name, value in pairs if value.strip()]
    if len(kept) == len(pairs):
        return None
    query = urlencode(kept)
    return f"{request.path}?{query}" if query else request.path


class FilteredListView(FilterView):
    """A list filtered through a GET form, with the filters in use shown as removable chips."""

    # Writes the list as data (?format=csv or json) with the page's filters: catalog/exports.py.
    export = None

    def get(self, request, *args, **kwargs):
        clean = clean_query_url(request)
        if clean is not None:
            return HttpResponsePermanentRedirect(clean)
        fmt = exports.requested_format(request)
        if fmt is None:
            return super().get(request, *args, **kwargs)
        if not fmt:
            return exports.unknown_format()
        filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_valid():
            return exports.bad_filters(filterset.form, fmt)
        filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
        return self.export(request, filterset.qs, fmt, filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_filters"] = active_filters(self.filterset, self.request.path)
        return context


@method_decorator(cache_page(lists=True), name="dispatch")
class OSTListView(FilteredListView):
    filterset_class = OSTFilter
    paginate_by = 24
    template_name = "catalog/ost_list.html"
    context_object_name = "osts"
    # From this many matches on, a search walks the date index (see search_osts).
    broad_search = 500

    def get_queryset(self):
        return OST.objects.published().card_ids()

    export = staticmethod(exports.ost_list)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if filterset.is_valid() and filterset.form.cleaned_data.get("q"):
            # Known before the list's query is built, the count tells a broad search from a narrow one.
            count = cached(
                self.count_key(), lambda: filterset.filter_queryset(filterset.queryset.all()).count(), lists=True
            )
            filterset.broad_search = count > self.broad_search
        return filterset

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = cached(self.count_key(), queryset.count, lists=True)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = list(ost_cards(context["osts"]).values())
        query = self.filterset.form.cleaned_data.get("q") if self.filterset.is_valid() else ""
        context["query"] = query
        if query and not context["paginator"].count:
            # Only an empty search looks for a closer spelling (once per search and catalogue version).
            context["suggestion"] = cached(
                self.count_key().replace("ost-count:", "ost-suggestion:"), lambda: self.suggestion(query), lists=True
            )
        # Only the page shows the options with their counts; the downloads need none of it.
        self.filterset.set_facet_options()
        context["member_outside_group"] = self.filterset.member_outside_group()
        return context

    def suggestion(self, query):
        """{"query", "url"}: the closest spelling of an empty search, kept only if it finds OSTs with the other
        filters in use; or {} (cached too, unlike None)."""
        corrected = suggest(query)
        if corrected is None:
            return {}
        params = self.request.GET.copy()
        params["q"] = corrected
        for name in ("page", "format"):
            params.pop(name, None)
        filterset = OSTFilter(params, queryset=OST.objects.published())
        if not filterset.is_valid() or not filterset.qs.exists():
            return {}
        return {"query": corrected, "url": f"{self.request.path}?{params.urlencode()}"}

    def count_key(self):
        """Counting a filter's matches is the slowest query on a big catalogue, and the answer only changes
        with the catalogue: it is cached per filter combination (whatever the page and order)."""
        filters = self.request.GET.copy()
        for name in ("page", "ordering", "format"):
            filters.pop(name, None)
        return "ost-count:" + hashlib.sha256(filters.urlencode().encode()).hexdigest()


@cache_page
def ost_detail(request, slug):
    fmt = exports.requested_format(request, offered=JSON_ONLY)
    if fmt == "":
        return exports.unknown_format(JSON_ONLY)
    ost, previewing = drafts.get_for_page(
        request,
        OST.objects.select_related("show__network", "artist__agency").prefetch_related(
            "languages", singers_in_roster_order(), "listen_links", Prefetch("credits", Credit.objects.select_related("member"))
        ),
        slug=slug,
    )
    lineup = lineup_of(ost.artist)
    status = {membership.member_id: membership.status_at_release_of(ost) for membership in lineup}
    in_group_then = {member for member, then in status.items() if then == "in group"}
    singers = {m.pk for m in ost.singers.all()} if not ost.sung_by_whole_group else in_group_then
    if fmt == "json":
        return drafts.finish(exports.json_response(exports.ost_record(request, ost, lineup, in_group_then, singers)), previewing)
    context = {
        "ost": ost,
        "lineup": lineup,
        "singer_ids": singers,
        "left_ids": {member for member, then in status.items() if then == "left"},
        "unknown_ids": {member for member, then in status.items() if then == "unknown"},
        "sung_count": len(singers),
        # Describes the tiles shown: the whole roster, with who sang and who was not in the group then.
        "lineup_count": len(lineup),
        "renamed_on": renamed_on(ost),
        "also_on": also_on(ost.show),
        "same_show": [entry for entry in soundtrack_of(ost.show) if entry["pk"] != ost.pk],
        "sources": list(ost.page_sources()),
        "draft": drafts.banner(ost) if previewing else None,
    }
    return drafts.finish(render_with_comments(request, "catalog/ost_detail.html", context, target=ost), previewing)


def renamed_on(ost):
    """The day the group stopped going by the name the song was credited under, when it did and that is known."""
    if not ost.group_renamed:
        return None
    for earlier in earlier_names_of(ost.artist):
        if earlier.name == ost.credited_as and earlier.used_until:
            return earlier.used_until + datetime.timedelta(days=1)
    return None


@method_decorator(cache_page(lists=True), name="dispatch")
class GroupListView(ListView):
    template_name = "catalog/group_list.html"
    context_object_name = "groups"
    paginate_by = 60

    def get_queryset(self):
        return (
            Group.objects.published().select_related("agency").prefetch_related("earlier_names")
            .with_counts(OST.objects.published())
        )


@cache_page
def group_detail(request, slug):
    fmt = exports.requested_format(request, offered=JSON_ONLY)
    if fmt == "":
        return exports.unknown_format(JSON_ONLY)
    group, previewing = drafts.get_for_page(request, Group.objects.select_related("agency"), slug=slug)
    # The cards need only the ids; the structured data names each OST and links to it. A preview lists the OSTs
    # the page will list once the group is published.
    osts = OST.objects.published(preview=group).filter(artist=group).only("title", "slug")
    if fmt == "json":
        return drafts.finish(exports.json_response(exports.group_record(request, group, lineup_of(group), osts)), previewing)
    page_obj = paginate(request, osts, per_page=24)
    context = {
        "group": group,
        "earlier_names": earlier_names_of(group),
        "lineup": lineup_of(group),
        "osts": page_obj.object_list,
        "cards": list(ost_cards(page_obj.object_list).values()),
        "page_obj": page_obj,
        # One more than is shown tells the template there are others.
        "shows": list(
            Show.objects.filter(osts__in=osts.values("pk"))
            .select_related("network")
            .only("title", "slug", "kind", "first_year", "last_year", "network__name")
            .distinct()[: MAX_SHOWS + 1]
        ),
        "max_shows": MAX_SHOWS,
        "sources": list(group.page_sources()),
        "draft": drafts.banner(group) if previewing else None,
    }
    return drafts.finish(render_with_comments(request, "catalog/group_detail.html", context, target=group), previewing)


@cache_page
def member_detail(request, slug):
    fmt = exports.requested_format(request, offered=JSON_ONLY)
    if fmt == "":
        return exports.unknown_format(JSON_ONLY)
    member = get_object_or_404(Member, slug=slug)
    # Only what the public sees: a draft group, a draft show and the OSTs that are not public are left out.
    memberships = list(member.memberships.filter(group__in=Group.objects.published()).select_related("group"))
    public_osts = OST.objects.published()
    credits = member.credits.filter(ost__in=public_osts.values("pk"))
    cameos = Cameo.objects.filter(member=member, show__in=Show.objects.published())
    if fmt == "json":
        return exports.json_response(exports.member_record(
            request, member, memberships, public_osts.sung_by(member).only("title", "slug"),
            credits.select_related("ost"), cameos.select_related("show"),
        ))
    osts = public_osts.sung_by(member).with_list_data()
    # Split by how many sang: the template shows solos, songs with some members and whole-group songs.
    solos, subsets, whole_group = [], [], []
    for ost in osts:
        if ost.sung_by_whole_group:
            whole_group.append(ost)
        elif len(ost.singers.all()) == 1:
            solos.append(ost)
        else:
            subsets.append(ost)
    context = {
        "member": member,
        "memberships": memberships,
        "solos": list(ost_cards(solos).values()),
        "subsets": list(ost_cards(subsets).values()),
        "whole_group": list(ost_cards(whole_group).values()),
        "tally": {
            "solo": len(solos), "unit": len(subsets), "whole_group": len(whole_group),
            "total": len(solos) + len(subsets) + len(whole_group),
        },
        "credits": list(credits.select_related("ost__show")),
        "cameos": list(cameos.select_related("show")),
        "sources": list(member.page_sources().exclude(membership__group__is_draft=True)),
    }
    return render_with_comments(request, "catalog/member_detail.html", context, target=member)


@method_decorator(cache_page(lists=True), name="dispatch")
class ShowListView(FilteredListView):
    filterset_class = ShowFilter
    template_name = "catalog/show_list.html"
    context_object_name = "shows"
    paginate_by = 48

    def get_queryset(self):
        return Show.objects.published().select_related("network").with_ost_counts(OST.objects.published())

    export = staticmethod(exports.show_list)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.set_options(cached("show-filter-options", show_filter_options))
        return filterset


@cache_page
def show_detail(request, slug):
    fmt = exports.requested_format(request, offered=JSON_ONLY)
    if fmt == "":
        return exports.unknown_format(JSON_ONLY)
    show, previewing = drafts.get_for_page(request, Show.objects.select_related("network"), slug=slug)
    if fmt == "json":
        return drafts.finish(exports.json_response(exports.show_record(
            request, show, also_on(show), soundtrack_of(show), show.cameos.select_related("member")
        )), previewing)
    page_obj = paginate(request, [entry["pk"] for entry in soundtrack_of(show)], per_page=48)
    context = {
        "show": show,
        "also_on": also_on(show),
        "cards": list(ost_cards(page_obj.object_list).values()),
        "page_obj": page_obj,
        "cameos": list(show.cameos.select_related("member")),
        "sources": list(show.page_sources()),
        "draft": drafts.banner(show) if previewing else None,
    }
    return drafts.finish(render_with_comments(request, "catalog/show_detail.html", context, target=show), previewing)
