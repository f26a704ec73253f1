"""RSS and Atom feeds: newly added OSTs, and the latest approved comments (names only, never emails)."""

import re

from django.contrib.syndication.views import Feed
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from comments.models import Comment

from .models import OST, singers_in_roster_order

FEED_LENGTH = 30
# Characters XML 1.0 cannot carry; Django's feed writer refuses them (a 500), so they are dropped.
XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text):
    return XML_UNSAFE.sub("", text)


def who_sang(ost):
    return f"{ost.singer_names} of {ost.credited_name}" if ost.singer_names else ost.credited_name


class NewOSTsFeed(Feed):
    title = "New OSTs · Idol OST Archive"
    link = reverse_lazy("catalog:ost-list")
    description = "Soundtrack songs by K-pop idols, newest additions to the archive first."

    def items(self):
        return (
            OST.objects.published().select_related("show", "show__network", "artist")
            .prefetch_related(singers_in_roster_order(), "languages")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, ost):
        return xml_safe(f"{ost.title} – {who_sang(ost)} ({ost.show.title} OST)")

    def item_description(self, ost):
        languages = ", ".join(language.name for language in ost.languages.all()) or "not confirmed"
        return xml_safe(
            format_html(
                "<p>{} of {} ({}, {}), sung by {}. Language: {}.</p>",
                ost.placement_label,
                ost.show.title,
                ost.show.get_kind_display(),
                ost.show.network.name,
                who_sang(ost),
                languages,
            )
        )

    def item_pubdate(self, ost):
        return ost.created_at

    def item_updateddate(self, ost):
        return ost.updated_at

    def item_categories(self, ost):
        return [ost.artist.name, ost.show.get_kind_display(), *(language.name for language in ost.languages.all())]


class NewOSTsAtomFeed(NewOSTsFeed):
    feed_type = Atom1Feed
    subtitle = NewOSTsFeed.description


class LatestCommentsFeed(Feed):
    title = "Latest comments · Idol OST Archive"
    link = reverse_lazy("catalog:home")
    description = "What fans are saying about idol OSTs, newest first. Only approved comments."

    def items(self):
        return (
            Comment.objects.approved().on_public_pages().select_related("ost", "show", "group", "member")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, comment):
        return xml_safe(f"{comment.author_name} on {comment.target or 'the home page'}")

    def item_description(self, comment):
        # The body is the reader's plain text: escaped, then paragraphs, as the page shows it.
        return xml_safe(linebreaks_filter(comment.body, autoescape=True))

    def item_link(self, comment):
        return comment.get_absolute_url()

    def item_author_name(self, comment):
        return xml_safe(comment.author_name)

    def item_pubdate(self, comment):
        return comment.created_at


class LatestCommentsAtomFeed(LatestCommentsFeed):
    feed_type = Atom1Feed
    subtitle = LatestCommentsFeed.description
