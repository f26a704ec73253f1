"""sitemap.xml: the home, list and timeline pages, and every OST, group, member and show page, with when each last
changed. Drafts are left out: their pages are not public."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import OST, Group, Member, Show


class CatalogueSitemap(Sitemap):
    """One model's pages; only the slug and `updated_at` are read."""

    model = None

    def items(self):
        return self.public(self.model.objects.all()).only("slug", "updated_at").order_by("pk")

    def public(self, queryset):
        return queryset.published() if hasattr(queryset, "published") else queryset

    def lastmod(self, obj):
        return obj.updated_at


class OSTSitemap(CatalogueSitemap):
    model = OST
    priority = 0.8


class GroupSitemap(CatalogueSitemap):
    model = Group
    priority = 0.7


class MemberSitemap(CatalogueSitemap):
    model = Member
    priority = 0.5


class ShowSitemap(CatalogueSitemap):
    model = Show
    priority = 0.6


class ListPagesSitemap(Sitemap):
    """The home page, the three lists and the timeline, each as fresh as the newest change to what it lists."""

    priority = 1.0
    changefreq = "daily"
    pages = {
        "catalog:home": OST,
        "catalog:ost-list": OST,
        "catalog:group-list": Group,
        "catalog:show-list": Show,
        "catalog:timeline": OST,
    }

    def items(self):
        return list(self.pages)

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return self.pages[name].objects.published().aggregate(latest=Max("updated_at"))["latest"]


sitemaps = {
    "pages": ListPagesSitemap,
    "osts": OSTSitemap,
    "groups": GroupSitemap,
    "members": MemberSitemap,
    "shows": ShowSitemap,
}
