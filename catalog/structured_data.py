"""schema.org JSON-LD for the catalogue pages.

Each function takes the objects the page's view already loaded (with their prefetches) and makes no query of
its own; `request` only turns paths into absolute URLs. The templates emit the result with the `json_ld` filter.
"""

from django.urls import reverse

from .models import OST, Credit, Group, Member, Show

SCHEMA = "https://schema.org"
SITE_NAME = "Idol OST Archive"


def _compact(data):
    """Drop the keys whose value is unknown, so the JSON never claims an empty fact."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _one_or_many(values):
    values = [value for value in values if value]
    return values[0] if len(values) == 1 else values


def _names(*names, also=""):
    """The other names of a thing: native spellings, then the comma-separated alternatives."""
    return [name for name in (*names, *(part.strip() for part in also.split(","))) if name]


def _url(request, path):
    return request.build_absolute_uri(path)


def _image(request, *objects):
    """The absolute URL of the first of `objects` that has a picture."""
    for obj in objects:
        if obj is not None and obj.image:
            return _url(request, obj.image.url)
    return None


def _date(day, year=None):
    return day.isoformat() if day else (str(year) if year else None)


def group_ref(request, group):
    return {"@type": "MusicGroup", "name": group.name, "url": _url(request, group.get_absolute_url())}


def person_ref(request, member):
    return {"@type": "Person", "name": member.stage_name, "url": _url(request, member.get_absolute_url())}


def show_ref(request, show):
    return {"@type": "TVSeries", "name": show.title, "url": _url(request, show.get_absolute_url())}


def music_recording(request, ost, lineup):
    """An OST: `byArtist` is the group when the whole group sang it, otherwise the members who did.

    Uses the OST's prefetched singers, languages and credits, and the page's lineup (memberships with members).
    """
    groups_of = {membership.member_id for membership in lineup}
    singers = [] if ost.sung_by_whole_group else list(ost.singers.all())
    if singers:
        by_artist = [
            {**person_ref(request, member), **({"memberOf": group_ref(request, ost.artist)} if member.pk in groups_of else {})}
            for member in singers
        ]
    else:
        by_artist = group_ref(request, ost.artist)
    # A credit no source confirms is never published as a fact (the page shows it, marked unconfirmed).
    credits = [credit for credit in ost.credits.all() if not credit.unsure]
    composition = _compact(
        {
            "@type": "MusicComposition",
            "name": ost.title,
            "lyricist": [person_ref(request, c.member) for c in credits if c.role == Credit.Role.LYRICS],
            "composer": [person_ref(request, c.member) for c in credits if c.role == Credit.Role.COMPOSITION],
        }
    )
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "MusicRecording",
            "name": ost.title,
            "alternateName": _names(ost.native_title, also=ost.alternative_titles),
            "url": _url(request, ost.get_absolute_url()),
            "byArtist": by_artist,
            "inLanguage": _one_or_many(language.code for language in ost.languages.all()),
            "datePublished": _date(ost.released_on, ost.release_year),
            # The show whose soundtrack the song is on.
            "isPartOf": show_ref(request, ost.show),
            "recordingOf": composition if len(composition) > 2 else None,
            "image": _image(request, ost.show, ost.artist),
        }
    )


def music_group(request, group, lineup, osts, earlier_names=()):
    """A group with its current members, its former ones (`alumni`), its OSTs (`track`) and every name it has had."""
    earlier = ", ".join(name.name for name in earlier_names)
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "MusicGroup",
            "name": group.name,
            "alternateName": _names(group.native_name, also=", ".join(filter(None, [earlier, group.alternative_names]))),
            "url": _url(request, group.get_absolute_url()),
            "image": _image(request, group),
            "genre": "K-pop",
            "foundingDate": _date(group.debut_date),
            "member": [person_ref(request, m.member) for m in lineup if not m.is_former],
            "alumni": [person_ref(request, m.member) for m in lineup if m.is_former],
            "track": [{"@type": "MusicRecording", "name": ost.title, "url": _url(request, ost.get_absolute_url())} for ost in osts],
        }
    )


def person(request, member, memberships):
    """An idol, member of their current groups and alumnus of the ones they left."""
    native = member.native_name if member.native_name != member.stage_name else ""
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "Person",
            "name": member.stage_name,
            "alternateName": native,
            "url": _url(request, member.get_absolute_url()),
            "image": _image(request, member),
            "memberOf": [group_ref(request, m.group) for m in memberships if not m.is_former],
            "alumniOf": [group_ref(request, m.group) for m in memberships if m.is_former],
        }
    )


def tv_series(request, show):
    """A show."""
    source = None
    if show.source_title:
        source = {"@type": "CreativeWork", "name": show.source_title, "genre": show.get_source_kind_display()}
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "TVSeries",
            "name": show.title,
            "alternateName": _names(show.original_title if show.original_title != show.title else "", also=show.alternative_titles),
            "url": _url(request, show.get_absolute_url()),
            "image": _image(request, show),
            "genre": show.get_kind_display(),
            "startDate": _date(show.premiered_on, show.first_year),
            "endDate": _date(show.ended_on, show.last_year),
            "numberOfEpisodes": show.episodes,
            "countryOfOrigin": {"@type": "Country", "name": show.country} if show.country else None,
            "isBasedOn": source,
        }
    )


def website(request):
    """The site itself, with its search, for the home page."""
    search = _url(request, reverse("catalog:ost-list"))
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": SITE_NAME,
        "url": _url(request, reverse("catalog:home")),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumb_trail(obj, memberships=None):
    """(name, path) pairs from the home page down to `obj`, an OST, group, member or show page.

    A member's trail goes through their current group (or the first they were in), from `memberships`.
    """
    home = ("Home", reverse("catalog:home"))
    if isinstance(obj, OST):
        middle = [("OSTs", reverse("catalog:ost-list"))]
        name = obj.title
    elif isinstance(obj, Group):
        middle = [("Groups", reverse("catalog:group-list"))]
        name = obj.name
    elif isinstance(obj, Show):
        middle = [("Shows", reverse("catalog:show-list"))]
        name = obj.title
    elif isinstance(obj, Member):
        memberships = sorted(memberships or [], key=lambda m: m.is_former)
        middle = [(memberships[0].group.name, memberships[0].group.get_absolute_url())] if memberships else []
        name = obj.stage_name
    else:
        raise TypeError(f"No breadcrumb trail for {type(obj).__name__}")
    return [home, *middle, (name, obj.get_absolute_url())]


def breadcrumb_list(request, trail):
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": _url(request, path)}
            for i, (name, path) in enumerate(trail, start=1)
        ],
    }
