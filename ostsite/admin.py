"""The editors' desk: the admin site with the archive's name, in place of Django's default site."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class EditorsAdminSite(admin.AdminSite):
    site_header = "Idol OST Archive"
    site_title = "Idol OST Archive editors"
    index_title = "Editors’ desk"
    # At 1280 px the sidebar of every model took a quarter of the width from the lists; the dashboard and the
    # breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False


class EditorsAdminConfig(AdminConfig):
    """Installed instead of django.contrib.admin, so `admin.site` (and every @admin.register) is the editors' site."""

    default_site = "ostsite.admin.EditorsAdminSite"
