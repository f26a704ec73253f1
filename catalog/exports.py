"""The catalogue as data: CSV and JSON downloads of the lists, and a JSON twin of every detail page.

A page answers in another format when asked with `?format=csv` or `?format=json`, with the page's own
parameters: the same filters, checked by the same form, in the same order. An export holds every match, not one
page of them. It is served and cached like the page itself (ostsite/page_cache.py), at the page's path, so it goes
stale exactly when the page does.
"""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from .models import OST, card_prefetches

FORMATS = ("csv", "json")

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Idol OST Archive",
    "note": "Our compilation of facts about the songs, free to share and adapt with credit. The facts come from "
    "public sources; no song audio, lyrics or artwork is included.",
}


def requested_format(request, offered=FORMATS):
    """"csv" or "json" when asked for and `offered`, None for the page itself, "" for a format not offered."""
    value = request.GET.get("format")
    if not value:
        return None
    return value if value in offered else ""


def unknown_format(offered=FORMATS):
    choices = " or ".join(f"?format={fmt}" for fmt in offered)
    return HttpResponse(
        f"This page is not offered in that format. Ask for {choices}, or leave it out for the page.\n",
        status=400, content_type="text/plain; charset=utf-8",
    )


def absolute(request, path):
    return request.build_absolute_uri(path)


def bad_filters(form, fmt):
    """The form's messages, as the page shows them, with status 400 rather than an empty download."""
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    if fmt == "json":
        return json_response({"errors": errors}, status=400)
    lines = ["Some filters could not be used:"]
    lines += [f"{form.fields[name].label}: {message}" for name, messages in errors.items() for message in messages]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def json_response(data, status=200):
    content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return HttpResponse(content, status=status, content_type="application/json; charset=utf-8")


def csv_response(columns, rows, filename):
    out = io.StringIO()
    # A byte-order mark, so spreadsheet programs read Hangul and Japanese titles as UTF-8.
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# OSTs ------------------------------------------------------------------------------------------------------

OST_COLUMNS = [
    "title", "native_title", "group", "singers", "sung_by_whole_group", "show", "kind_of_show", "network",
    "placement", "placement_number", "release_year", "released_on", "languages", "listen", "url",
]


def ost_row(request, ost):
    """One OST as a flat record: a CSV row, or an entry of a JSON list."""
    return {
        "title": ost.title,
        "native_title": ost.native_title,
        "group": ost.artist.name,
        "singers": "; ".join(member.stage_name for member in ost.singers.all()),
        "sung_by_whole_group": ost.sung_by_whole_group,
        "show": ost.show.title,
        "kind_of_show": ost.show.get_kind_display(),
        "network": ost.show.network.name,
        "placement": ost.placement_label,
        "placement_number": ost.placement_number,
        "release_year": ost.release_year,
        "released_on": ost.released_on,
        "languages": "; ".join(language.name for language in ost.languages.all()),
        # Official links only (see ListenLink).
        "listen": " ".join(link.url for link in ost.listen_links.all()),
        "url": absolute(request, ost.get_absolute_url()),
    }


def with_export_data(queryset):
    """The rows an export reads, in a fixed number of queries however many OSTs match."""
    # The list pages read only ids (card_ids): an export reads every field.
    return queryset.defer(None).select_related("show__network", "artist").prefetch_related(*card_prefetches())


def ost_list(request, queryset, fmt, filters):
    """Every OST of a filtered list. `filters` are the valid filters in use, {name: value}, for the JSON."""
    rows = [ost_row(request, ost) for ost in with_export_data(queryset)]
    if fmt == "csv":
        return csv_response(OST_COLUMNS, [{**row, "released_on": row["released_on"] or ""} for row in rows],
                            "idol-osts.csv")
    return json_response({"count": len(rows), "filters": filters, "licence": LICENCE, "osts": rows})


SHOW_COLUMNS = ["title", "original_title", "kind", "network", "first_year", "last_year", "ost_count", "url"]


def show_list(request, queryset, fmt, filters):
    """Every show of a filtered show list (annotated with `ost_count`)."""
    rows = [
        {"title": show.title, "original_title": show.original_title, "kind": show.get_kind_display(),
         "network": show.network.name, "first_year": show.first_year, "last_year": show.last_year,
         "ost_count": show.ost_count, "url": absolute(request, show.get_absolute_url())}
        for show in queryset
    ]
    if fmt == "csv":
        return csv_response(SHOW_COLUMNS, rows, "idol-ost-shows.csv")
    return json_response({"count": len(rows), "filters": filters, "licence": LICENCE, "shows": rows})


def ost_record(request, ost, lineup, in_group_then, singer_ids):
    """The JSON twin of an OST page: what the page says, as data."""
    return {
        **ost_row(request, ost),
        "slug": ost.slug,
        "alternative_titles": ost.alternative_titles,
        "notes": ost.notes,
        "group": {"name": ost.artist.name, "url": absolute(request, ost.artist.get_absolute_url())},
        "show": {"title": ost.show.title, "url": absolute(request, ost.show.get_absolute_url()),
                 "kind": ost.show.get_kind_display(), "network": ost.show.network.name},
        "singers": [
            {"name": membership.member.stage_name, "url": absolute(request, membership.member.get_absolute_url())}
            for membership in lineup
            if membership.member_id in singer_ids
        ],
        "languages": [{"name": language.name, "code": language.code} for language in ost.languages.all()],
        "listen": [
            {"service": link.get_kind_display(), "what": link.get_content_display(), "url": link.url}
            for link in ost.listen_links.all()
        ],
        "credits": [
            {"role": credit.get_role_display(), "member": credit.member.stage_name, "confirmed": not credit.unsure,
             "note": credit.note}
            for credit in ost.credits.all()
        ],
        "licence": LICENCE,
    }


def ost_refs(request, osts):
    """Title and address of each OST (rows or the dicts of `soundtrack_of`)."""
    refs = []
    for ost in osts:
        if isinstance(ost, OST):
            refs.append({"title": ost.title, "url": absolute(request, ost.get_absolute_url())})
        else:
            refs.append({"title": ost["title"], "url": absolute(request, ost["url"])})
    return refs


def group_record(request, group, lineup, osts):
    return {
        "name": group.name,
        "native_name": group.native_name,
        "alternative_names": group.alternative_names,
        "slug": group.slug,
        "kind": group.get_kind_display(),
        "agency": group.agency.name,
        "debut_date": group.debut_date,
        "url": absolute(request, group.get_absolute_url()),
        "members": [
            {"name": m.member.stage_name, "native_name": m.member.native_name, "position": m.position,
             "status": m.get_status_display(), "left_on": m.left_on,
             "url": absolute(request, m.member.get_absolute_url())}
            for m in lineup
        ],
        "osts": ost_refs(request, osts),
        "licence": LICENCE,
    }


def member_record(request, member, memberships, osts, credits, cameos):
    return {
        "stage_name": member.stage_name,
        "native_name": member.native_name,
        "slug": member.slug,
        "url": absolute(request, member.get_absolute_url()),
        "groups": [
            {"name": m.group.name, "status": m.get_status_display(), "position": m.position, "left_on": m.left_on,
             "url": absolute(request, m.group.get_absolute_url())}
            for m in memberships
        ],
        "osts_sung": ost_refs(request, osts),
        "credits": [
            {"role": c.get_role_display(), "ost": c.ost.title, "url": absolute(request, c.ost.get_absolute_url()),
             "confirmed": not c.unsure, "note": c.note}
            for c in credits
        ],
        "cameos": [
            {"show": c.show.title, "url": absolute(request, c.show.get_absolute_url()), "note": c.note} for c in cameos
        ],
        "licence": LICENCE,
    }


def show_record(request, show, also_on, soundtrack, cameos):
    return {
        "title": show.title,
        "original_title": show.original_title,
        "alternative_titles": show.alternative_titles,
        "slug": show.slug,
        "kind": show.get_kind_display(),
        "network": show.network.name,
        "also_on": [network.name for network in also_on],
        "country": show.country,
        "first_year": show.first_year,
        "last_year": show.last_year,
        "premiered_on": show.premiered_on,
        "ended_on": show.ended_on,
        "episodes": show.episodes,
        "url": absolute(request, show.get_absolute_url()),
        "osts": ost_refs(request, soundtrack),
        "cameos": [{"member": c.member.stage_name, "note": c.note} for c in cameos],
        "licence": LICENCE,
    }


# The timeline ------------------------------------------------------------------------------------------------


def timeline_record(request, data):
    """The timeline's numbers (`catalog.timeline.build_timeline`), each count with the list of its OSTs."""
    field, parts_name = ("group", "groups") if data["by"] == "group" else ("kind_of_show", "kinds_of_show")

    def link(url):
        return {"osts": absolute(request, url)} if url else {}

    years = [
        {
            "year": bar["year"],
            "count": bar["total"],
            **link(bar["url"]),
            parts_name: [
                {field: row["label"], "count": row["cells"][i]["count"], **link(row["cells"][i]["url"])}
                for row in data["table"]
                if row["cells"][i]["count"]
            ],
        }
        for i, bar in enumerate(data["bars"])
    ]
    unknown = data["unknown"]
    return {
        "split_by": field,
        "count": data["total"],
        "years": years,
        "year_unknown": {
            "count": unknown["total"],
            parts_name: [{field: label, "count": n} for label, n in unknown["by"]],
            "osts": [{"title": title, "url": absolute(request, url)} for title, url in unknown["named"]],
            "more": unknown["more"],
        },
        "licence": LICENCE,
    }
