"""Pieces many catalogue pages share, each made once per version of what they show (ostsite.page_cache.cached).

A page the page cache has not seen yet (a new filter combination, page 37 of a search, an OST nobody opened
since the last edit) is then mostly put together from pieces already made: list pages read only their OSTs'
ids and take the cards from here.
"""

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ostsite.page_cache import LISTS, SITE, cached, versions

from .models import OST, card_prefetches, singers_in_roster_order


def catalogue_facets():
    """Site-wide OST counts per filter option, shared by the list pages, the home page and the group pages."""
    return cached("ost-facets", OST.objects.published().facet_counts, lists=True)


def lineup_of(group):
    """The group's memberships with their members: shared by its page and the pages of all its OSTs."""
    return cached(f"lineup:{group.pk}", lambda: list(group.memberships.select_related("member")))


def earlier_names_of(group):
    """The names the group went by before its current one, latest first: shared by its page and the pages of its
    OSTs."""
    return cached(f"earlier-names:{group.pk}", lambda: list(group.earlier_names.all()))


def also_on(show):
    """The other networks that carried the show: shared by its page and the pages of all its OSTs."""
    return cached(f"also-on:{show.pk}", lambda: list(show.also_on.all()))


def soundtrack_of(show):
    """The show's OSTs in soundtrack order, as the "More from this show" lists name them: shared by the show's
    page and the pages of all its OSTs. Only the public OSTs; the show itself counts as published, so an editor's
    preview of a draft show lists what its page will list (the public never reaches a draft show's pages)."""

    def build():
        osts = show.osts.published(preview=show).in_soundtrack_order().select_related("artist").prefetch_related(singers_in_roster_order())
        return [
            {"pk": ost.pk, "url": ost.get_absolute_url(), "title": ost.title, "singer_names": ost.singer_names,
             "artist_name": ost.credited_name, "placement_label": ost.placement_label}
            for ost in osts
        ]

    return cached(f"soundtrack:{show.pk}", build, page=show.get_absolute_url())


def ost_cards(osts, timeout=3600):
    """Each OST's card as HTML, rendered once per site and lists version, by id in the order given. `osts` are OSTs or
    their ids; an OST deleted meanwhile has no card.

    Only the cards not yet cached need the related rows; OSTs given without them (ids, or rows from
    `card_ids()`) are fetched with them, in one query.
    """
    osts = list(osts)
    ids = [ost.pk if isinstance(ost, OST) else ost for ost in osts]
    # A card changes with its OST, which makes the lists stale.
    site, lists = versions(SITE, LISTS)
    keys = {pk: f"card:{site}:{lists}:{pk}" for pk in ids}
    found = cache.get_many(keys.values())
    missing = {pk for pk in ids if keys[pk] not in found}
    if missing:
        complete = {
            ost.pk: ost
            for ost in osts
            if isinstance(ost, OST) and OST.show.is_cached(ost) and OST.artist.is_cached(ost) and ost.pk in missing
            and hasattr(ost, "idol_written")
        }
        bare = [pk for pk in missing if pk not in complete]
        if bare:
            # An OST deleted since the page's query gets no card.
            complete.update(OST.objects.for_cards().in_bulk(bare))
        prefetch_related_objects(list(complete.values()), *card_prefetches())
        made = {keys[pk]: render_to_string("includes/ost_card.html", {"ost": ost}) for pk, ost in complete.items()}
        cache.set_many(made, timeout)
        found.update(made)
    return {pk: mark_safe(found[keys[pk]]) for pk in ids if keys[pk] in found}
