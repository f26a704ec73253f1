import hashlib
import heapq

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.generic import ListView
from django_filters.views import FilterView

from .cache import cache_catalogue_page, cached, ost_cards
from .filters import OSTFilter, ShowFilter, active_filters, filter_options
from .models import OST, Cameo, Credit, Group, Member, Show


def catalogue_facets():
    """Site-wide OST counts per filter option: built once per catalogue change, shared by every page."""
    return cached("ost-facets", OST.objects.facet_counts)


# A group page names at most this many of the shows its idols sang for.
MAX_SHOWS = 30


def lineup_of(group):
    """The group's memberships with their members: shared by its page and the pages of all its OSTs."""
    return cached(f"lineup:{group.pk}", lambda: list(group.memberships.select_related("member")))


def also_on(show):
    """The other networks that carried the show: shared by its page and the pages of all its OSTs."""
    return cached(f"also-on:{show.pk}", lambda: list(show.also_on.all()))


def soundtrack_of(show):
    """The show's OSTs in soundtrack order, as the "More from this show" lists name them: shared by the show's
    page and the pages of all its OSTs."""

    def build():
        osts = show.osts.in_soundtrack_order().select_related("artist").prefetch_related("singers")
        return [
            {"pk": ost.pk, "url": ost.get_absolute_url(), "title": ost.title, "singer_names": ost.singer_names,
             "artist_name": ost.artist.name, "placement_label": ost.placement_label}
            for ost in osts
        ]

    return cached(f"soundtrack:{show.pk}", build)


def paginate(request, queryset, per_page, count=None):
    """The requested page of a related list; a page that does not exist is a 404, as on the list pages.

    `count`, when already known, saves counting the list again.
    """
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None


def busiest_groups_and_kinds():
    """The 24 groups with the most OSTs and the OST count of each kind of show, for the home page."""
    facets = catalogue_facets()
    counts = facets["group"]
    top_ids = heapq.nlargest(24, filter(None, counts), key=counts.get)
    return [(group, counts[group.pk]) for group in Group.objects.filter(pk__in=top_ids)], facets["type"]


@cache_catalogue_page
def home(request):
    # Once per catalogue change: on a big catalogue the site-wide counts run to thousands of entries.
    groups, kind_counts = cached("home-browse", busiest_groups_and_kinds)
    latest_ids = list(OST.objects.values_list("pk", flat=True)[:6])
    discussed_ids = cached("most-discussed", OST.objects.most_discussed_ids)
    osts = OST.objects.card_ids().in_bulk(latest_ids + discussed_ids)
    # Both rows' cards made in one go (one set of queries); the template's `cards` then finds them cached.
    ost_cards(osts.values())
    context = {
        "latest": [osts[pk] for pk in latest_ids],
        "most_discussed": [osts[pk] for pk in discussed_ids if pk in osts],
        "kind_counts": kind_counts,
        "kinds": Show.Kind,
        "groups": groups,
    }
    return render(request, "catalog/home.html", context)


class FilteredListView(FilterView):
    """A list filtered through a GET form, with the filters in use shown as removable chips."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_filters"] = active_filters(self.filterset, self.request.path)
        return context


@method_decorator(cache_catalogue_page, name="dispatch")
class OSTListView(FilteredListView):
    filterset_class = OSTFilter
    paginate_by = 24
    template_name = "catalog/ost_list.html"
    context_object_name = "osts"
    # From this many matches on, a search walks the date index (see search_osts).
    broad_search = 500

    def get_queryset(self):
        return OST.objects.card_ids()

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.label_options(cached("ost-filter-options", lambda: filter_options(catalogue_facets())))
        if filterset.is_valid() and filterset.form.cleaned_data.get("q"):
            # Known before the list's query is built, the count tells a broad search from a narrow one.
            count = cached(self.count_key(), lambda: filterset.filter_queryset(filterset.queryset.all()).count())
            filterset.broad_search = count > self.broad_search
        return filterset

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = cached(self.count_key(), queryset.count)
        return paginator

    def count_key(self):
        """Counting a filter's matches is the slowest query on a big catalogue, and the answer only changes
        with the catalogue: it is cached per filter combination (whatever the page and order)."""
        filters = self.request.GET.copy()
        for name in ("page", "ordering"):
            filters.pop(name, None)
        return "ost-count:" + hashlib.sha256(filters.urlencode().encode()).hexdigest()


@cache_catalogue_page
def ost_detail(request, slug):
    ost = get_object_or_404(
        OST.objects.select_related("show__network", "artist__agency").prefetch_related(
            "languages", "singers", Prefetch("credits", Credit.objects.select_related("member"))
        ),
        slug=slug,
    )
    lineup = lineup_of(ost.artist)
    in_group_then = {membership.member_id for membership in lineup if membership.was_in_group_for(ost)}
    singers = {m.pk for m in ost.singers.all()} if not ost.sung_by_whole_group else in_group_then
    context = {
        "ost": ost,
        "lineup": lineup,
        "singer_ids": singers,
        "in_group_then": in_group_then,
        "sung_count": len(singers),
        "lineup_count": len(in_group_then) or len(lineup),
        "also_on": also_on(ost.show),
        "same_show": [entry for entry in soundtrack_of(ost.show) if entry["pk"] != ost.pk],
    }
    return render(request, "catalog/ost_detail.html", context)


@method_decorator(cache_catalogue_page, name="dispatch")
class GroupListView(ListView):
    template_name = "catalog/group_list.html"
    context_object_name = "groups"
    paginate_by = 60

    def get_queryset(self):
        return Group.objects.select_related("agency").with_counts()


@cache_catalogue_page
def group_detail(request, slug):
    group = get_object_or_404(Group.objects.select_related("agency"), slug=slug)
    # The cards need only the ids; the structured data names each OST and links to it. The site-wide counts
    # already hold the group's number of OSTs.
    osts = OST.objects.filter(artist=group).only("title", "slug")
    page_obj = paginate(request, osts, per_page=24, count=catalogue_facets()["group"].get(group.pk, 0))
    context = {
        "group": group,
        "lineup": lineup_of(group),
        "osts": page_obj.object_list,
        "page_obj": page_obj,
        # One more than is shown tells the template there are others.
        "shows": list(
            Show.objects.filter(osts__artist=group)
            .select_related("network")
            .only("title", "slug", "kind", "first_year", "last_year", "network__name")
            .distinct()[: MAX_SHOWS + 1]
        ),
        "max_shows": MAX_SHOWS,
    }
    return render(request, "catalog/group_detail.html", context)


@cache_catalogue_page
def member_detail(request, slug):
    member = get_object_or_404(Member, slug=slug)
    memberships = member.memberships.select_related("group")
    osts = OST.objects.sung_by(member).with_list_data()
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
        "solos": solos,
        "subsets": subsets,
        "whole_group": whole_group,
        "credits": member.credits.select_related("ost__show"),
        "cameos": Cameo.objects.filter(member=member).select_related("show"),
    }
    return render(request, "catalog/member_detail.html", context)


@method_decorator(cache_catalogue_page, name="dispatch")
class ShowListView(FilteredListView):
    filterset_class = ShowFilter
    template_name = "catalog/show_list.html"
    context_object_name = "shows"
    paginate_by = 48

    def get_queryset(self):
        return Show.objects.select_related("network").with_ost_counts()


@cache_catalogue_page
def show_detail(request, slug):
    show = get_object_or_404(Show.objects.select_related("network"), slug=slug)
    page_obj = paginate(request, [entry["pk"] for entry in soundtrack_of(show)], per_page=48)
    context = {
        "show": show,
        "also_on": also_on(show),
        "osts": page_obj.object_list,
        "page_obj": page_obj,
        "cameos": show.cameos.select_related("member"),
    }
    return render(request, "catalog/show_detail.html", context)
