from django.urls import path, register_converter

from . import views


class UnicodeSlugConverter:
    """Slugs may hold Hangul where no romanised name is sourced."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("osts/", views.OSTListView.as_view(), name="ost-list"),
    path("osts/<uslug:slug>/", views.ost_detail, name="ost-detail"),
    path("groups/", views.GroupListView.as_view(), name="group-list"),
    path("groups/<uslug:slug>/", views.group_detail, name="group-detail"),
    path("members/<uslug:slug>/", views.member_detail, name="member-detail"),
    path("shows/", views.ShowListView.as_view(), name="show-list"),
    path("shows/<uslug:slug>/", views.show_detail, name="show-detail"),
    path("timeline/", views.timeline, name="timeline"),
]
