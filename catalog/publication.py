"""Which cached pages an editor's change makes stale (ostsite/page_cache.py).

Editing an OST (its fields, singers, languages, credits or listen links), adding or deleting one, is what editors
do most. It makes stale the pages that show that OST: every page that lists or counts across the catalogue (one
shared version), the OST's own page, its group's and its show's pages (before and after a move), the pages of the
other OSTs of its show (their "More from this show"), and the pages of the members who sang or wrote it. Every
other page stays cached. Any other change (a group, member or show renamed, a membership, a network) may show on any
page and makes the whole site stale; those edits are rare.

Publishing or unpublishing (the draft box, see catalog/preview.py) adds an entry to, or takes one from, every list,
count and feed, and from pieces cached apart from the lists (the home page's most discussed OSTs): for an OST it
makes the whole site stale, as any change of a group or show already does. Both are rare.
"""

from django.db.models import Q

from ostsite.page_cache import invalidate_pages, invalidate_site

from .models import OST, Credit, Group, Member, Membership, Show


def catalogue_changed(**kwargs):
    invalidate_site()


def ost_changed(sender, instance, **kwargs):
    """post_save and pre_delete of an OST: before a deletion its singers and credits are still there to find."""
    if publication_changed(instance):
        invalidate_site()
        return
    old = getattr(instance, "loaded_places", ())
    invalidate_pages(*pages_showing([instance.pk], extra=[instance, *old]), lists=True)


def publication_changed(ost):
    """The save publishes a draft OST or makes a published one a draft again."""
    return getattr(ost, "loaded_draft", ost.is_draft) != ost.is_draft


def credit_changed(sender, instance, **kwargs):
    invalidate_pages(*pages_showing([instance.ost_id], members=[instance.member_id]), lists=True)


def listen_link_changed(sender, instance, **kwargs):
    """A listen link shows as buttons on its OST's page and as the play mark on its card, in every list."""
    invalidate_pages(*pages_showing([instance.ost_id]), lists=True)


def ost_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Singers or languages added to or removed from OSTs, from either side."""
    if action not in ("pre_clear", "post_add", "post_remove"):
        return
    if reverse:
        ost_ids, members = list(pk_set or []), [instance.pk] if isinstance(instance, Member) else []
    else:
        ost_ids, members = [instance.pk], list(pk_set or []) if sender is OST.singers.through else []
    invalidate_pages(*pages_showing(ost_ids, members=members), lists=True)


def pages_showing(ost_ids, members=(), extra=()):
    """The paths of the detail pages that show these OSTs. `extra` are OSTs (or (group, show) pairs) whose group
    and show pages count too, e.g. where an OST was before an edit moved it."""
    osts = list(OST.objects.filter(pk__in=ost_ids).select_related("artist", "show"))
    pages = set()
    groups, shows = set(), set()
    for ost in osts + [item for item in extra if isinstance(item, OST)]:
        groups.add(ost.artist_id)
        shows.add(ost.show_id)
    for group_id, show_id in (item for item in extra if isinstance(item, tuple)):
        groups.add(group_id)
        shows.add(show_id)
    pages |= {group.get_absolute_url() for group in Group.objects.filter(pk__in=groups).only("slug")}
    pages |= {show.get_absolute_url() for show in Show.objects.filter(pk__in=shows).only("slug")}
    pages |= {ost.get_absolute_url() for ost in OST.objects.filter(Q(pk__in=ost_ids) | Q(show__in=shows)).only("slug")}
    singers = OST.singers.through.objects.filter(ost__in=ost_ids).values("member")
    writers = Credit.objects.filter(ost__in=ost_ids).values("member")
    # Whole-group songs show on the pages of the group's members.
    whole_group = Membership.objects.filter(group__osts__in=ost_ids, group__osts__sung_by_whole_group=True).values("member")
    people = Member.objects.filter(Q(pk__in=singers) | Q(pk__in=writers) | Q(pk__in=whole_group) | Q(pk__in=members))
    pages |= {member.get_absolute_url() for member in people.only("slug")}
    return pages
