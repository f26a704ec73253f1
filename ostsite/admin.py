"""The editors' desk: the admin site with the archive's name, in place of Django's default site."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class DeskAutocompleteJsonView(AutocompleteJsonView):
    """Pickers' answers labelled by the model admin's `autocomplete_label`, when it has one ("Winter (aespa)")."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if label := getattr(self.model_admin, "autocomplete_label", None):
            result["text"] = label(obj)
        return result


class EditorsAdminSite(admin.AdminSite):
    site_header = "Idol OST Archive"
    site_title = "Idol OST Archive editors"
    index_title = "Editors’ desk"
    # At 1280 px the sidebar of every model took a quarter of the width from the lists; the dashboard and the
    # breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False
    index_template = "admin/desk_index.html"

    def autocomplete_view(self, request):
        return DeskAutocompleteJsonView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        """The dashboard, with what each model admin puts on the desk (`desk_context`, e.g. the waiting comments)."""
        context = {}
        for model_admin in self._registry.values():
            if hasattr(model_admin, "desk_context") and model_admin.has_view_or_change_permission(request):
                context.update(model_admin.desk_context(request))
        return super().index(request, {**context, **(extra_context or {})})


class EditorsAdminConfig(AdminConfig):
    """Installed instead of django.contrib.admin, so `admin.site` (and every @admin.register) is the editors' site."""

    default_site = "ostsite.admin.EditorsAdminSite"
