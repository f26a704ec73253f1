"""How search engines and feed readers find the site: sitemap.xml, robots.txt and the RSS/Atom feeds.

Included from ostsite/urls.py as a URLconf of its own.
"""

from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from catalog.feeds import LatestCommentsAtomFeed, LatestCommentsFeed, NewOSTsAtomFeed, NewOSTsFeed
from catalog.sitemaps import sitemaps


@require_GET
def robots_txt(request):
    """Crawl everything but the admin; the sitemap's URL must be absolute."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("robots.txt", robots_txt, name="robots-txt"),
    # An index of one sitemap per kind of page, so each stays under the 50,000-URL limit as the catalogue grows.
    path("sitemap.xml", sitemap_views.index, {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": sitemaps}, name="sitemap-section"),
    path("feeds/osts.rss", NewOSTsFeed(), name="feed-osts-rss"),
    path("feeds/osts.atom", NewOSTsAtomFeed(), name="feed-osts-atom"),
    path("feeds/comments.rss", LatestCommentsFeed(), name="feed-comments-rss"),
    path("feeds/comments.atom", LatestCommentsAtomFeed(), name="feed-comments-atom"),
]
