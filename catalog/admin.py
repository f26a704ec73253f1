from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects, quote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models, router
from django.db.models import Count, Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from ostsite.history import HistoryAdmin

from . import drafts

from .forms import (
    GroupAdminForm,
    GroupMembershipForm,
    MemberAdminForm,
    MemberChoiceField,
    MemberMultipleChoiceField,
    MembershipForm,
    NumberedMembershipFormSet,
    OSTAdminForm,
    ShowAdminForm,
)
from .imports import DeskImportExportMixin
from .models import (
    OST, Agency, Alias, Cameo, Credit, Group, GroupName, Language, ListenLink, Member, Membership, Network, Show, Source,
)
from .resources import GroupResource, MemberResource, OSTResource, ShowResource


def deletion_label(obj):
    """How a delete confirmation names a row: "Idol group: aespa", and for the hidden rows that link two
    entries, what they say ("Singers of “ONCE AGAIN”: Winter") rather than "OST_singers object (19)"."""
    opts = obj._meta
    if opts.auto_created:
        owner_field, target_field = (field for field in opts.fields if field.is_relation)
        link = next(field for field in opts.auto_created._meta.many_to_many if field.remote_field.through is type(obj))
        owner, target = getattr(obj, owner_field.name), getattr(obj, target_field.name)
        return f"{capfirst(link.verbose_name)} of “{owner}”: {target}"
    return f"{capfirst(opts.verbose_name)}: {obj}"


def deletion_count_label(model):
    """"singers of OSTs" rather than "OST-member relationships" in the summary of what will go."""
    opts = model._meta
    if opts.auto_created:
        link = next(field for field in opts.auto_created._meta.many_to_many if field.remote_field.through is model)
        return f"{link.verbose_name} of {opts.auto_created._meta.verbose_name_plural}"
    return opts.verbose_name_plural


class DeletionInWordsMixin:
    """Delete confirmations name each row that will go in words, linking those an editor can open."""

    def get_deleted_objects(self, objs, request):
        try:
            first = objs[0]
        except IndexError:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(first._meta.model), origin=objs)
        collector.collect(objs)
        perms_needed = set()
        site = self.admin_site

        def describe(obj):
            label = deletion_label(obj)
            model = type(obj)
            if not site.is_registered(model):
                return label
            opts = obj._meta
            if not site.get_model_admin(model).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
            except NoReverseMatch:
                return label
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        to_delete = collector.nested(describe)
        protected = [describe(obj) for obj in collector.protected]
        model_count = {deletion_count_label(model): len(rows) for model, rows in collector.model_objs.items()}
        return to_delete, model_count, perms_needed, protected


def titled_filter(title, base):
    """A field's list filter under a title of our own ("By kind of show" rather than the field's "By kind")."""

    class TitledFilter(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledFilter


@admin.display(description="On site")
def on_site(obj):
    """A link from a list row to the public page, or to its preview for an entry the public does not see."""
    if getattr(obj, "is_draft", False) or not getattr(obj, "is_public", True):
        return format_html('<a href="{}" aria-label="Preview {} (draft)">Preview</a>', drafts.preview_url(obj), obj)
    return format_html('<a href="{}" aria-label="{} on the site">View</a>', obj.get_absolute_url(), obj)


class PublicationFilter(admin.SimpleListFilter):
    """Drafts or published entries."""

    title = "publication"
    parameter_name = "draft"

    def lookups(self, request, model_admin):
        return [("yes", "Drafts"), ("no", "Published")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_draft=True)
        if self.value() == "no":
            return queryset.filter(is_draft=False)
        return queryset


class DraftAdminMixin:
    """Drafts in the admin: a "Preview" link on the form and in each row, a filter and the actions "Publish" and
    "Make draft" on the list. Changing the box on the form, or either action, is a history entry like any edit."""

    actions = ["publish", "make_draft"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "preview_link"]

    def get_list_filter(self, request):
        return [PublicationFilter, *super().get_list_filter(request)]

    def get_fields(self, request, obj=None):
        """The draft box and the preview link first, where an editor looks for them."""
        fields = [name for name in super().get_fields(request, obj) if name not in ("is_draft", "preview_link")]
        return ["is_draft", *(["preview_link"] if obj is not None else []), *fields]

    def view_on_site(self, obj):
        """The admin's "View on site" button opens the preview of an entry the public does not see."""
        return obj.get_absolute_url() if obj.is_public else drafts.preview_url(obj)

    @admin.display(description="Page")
    def preview_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        if obj.is_public:
            return format_html('<a href="{}">View on the site</a> (published)', obj.get_absolute_url())
        return format_html(
            '<a href="{}">Preview</a> — {} Only editors see the page until it is published.',
            drafts.preview_url(obj), drafts.why_draft(obj),
        )

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["change"])
    def publish(self, request, queryset):
        count = drafts.set_draft(queryset, is_draft=False, user=request.user)
        self.message_user(request, f"{count} {self.opts.verbose_name_plural if count != 1 else self.opts.verbose_name} published.")
        # An OST stays hidden while its group or show is a draft (see OSTQuerySet.published).
        related = [name for name in ("artist", "show") if name in {f.name for f in self.opts.fields}]
        still_hidden = [obj for obj in queryset.select_related(*related) if not obj.is_public]
        if still_hidden:
            self.message_user(
                request,
                "Still hidden from the public until their group or show is published: "
                + ", ".join(str(obj) for obj in still_hidden) + ".",
                level=messages.WARNING,
            )

    @admin.action(description="Make selected %(verbose_name_plural)s drafts", permissions=["change"])
    def make_draft(self, request, queryset):
        count = drafts.set_draft(queryset, is_draft=True, user=request.user)
        self.message_user(
            request,
            f"{count} {self.opts.verbose_name_plural if count != 1 else self.opts.verbose_name} made drafts: "
            "the public no longer sees them.",
        )


class PictureAdminMixin:
    """A thumbnail column for the changelist and a preview under the upload field on the change form."""

    readonly_fields = ["image_preview"]

    @admin.display(description="Picture")
    def thumbnail(self, obj):
        if not obj.image:
            return None
        return format_html(
            '<img src="{}" alt="" width="48" height="48" style="object-fit: cover; border-radius: 4px">',
            obj.image.url,
        )

    @admin.display(description="Current picture")
    def image_preview(self, obj):
        if not obj.image:
            return None
        return format_html(
            '<a href="{}"><img src="{}" alt="Current picture of {}" style="max-width: 320px; max-height: 320px"></a>',
            obj.image.url,
            obj.image.url,
            obj,
        )

    def get_fields(self, request, obj=None):
        """Put the preview right after the upload field, and leave it off the add form."""
        fields = [name for name in super().get_fields(request, obj) if name != "image_preview"]
        if obj is not None and "image" in fields:
            fields.insert(fields.index("image") + 1, "image_preview")
        return fields


class MemberPickerMixin:
    """Member pickers label each idol with their groups ("Winter (aespa)"), and open no pop-up to add one."""

    member_fields = ["member"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.member_fields:
            kwargs.update(form_class=MemberChoiceField, queryset=Member.objects.prefetch_related("groups"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.member_fields:
            kwargs.update(form_class=MemberMultipleChoiceField, queryset=Member.objects.prefetch_related("groups"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.member_fields and hasattr(formfield.widget, "can_add_related"):
            formfield.widget.can_add_related = False
        return formfield


class GroupMembershipInline(MemberPickerMixin, admin.TabularInline):
    """The group's line-up: idols picked by name or typed in new, numbered automatically when the order is empty."""

    model = Membership
    verbose_name = "member"
    verbose_name_plural = "line-up"
    form = GroupMembershipForm
    formset = NumberedMembershipFormSet
    fields = ["member", "new_stage_name", "new_native_name", "position", "status", "left_on", "order"]
    autocomplete_fields = ["member"]
    extra = 1


class GroupNameInline(admin.TabularInline):
    """Names the group went by before its current one: the site shows them and search finds the group by them."""

    model = GroupName
    fields = ["name", "native_name", "used_from", "used_until"]
    extra = 0


class MemberMembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = NumberedMembershipFormSet
    fields = ["group", "position", "status", "left_on", "order"]
    autocomplete_fields = ["group"]
    extra = 1


class CreditInline(MemberPickerMixin, admin.TabularInline):
    model = Credit
    fields = ["member", "role", "unsure", "note"]
    autocomplete_fields = ["member"]
    extra = 1


class ListenLinkInline(admin.TabularInline):
    """Official places to hear or watch the song; each address is checked against its kind's host."""

    model = ListenLink
    verbose_name = "listen link"
    verbose_name_plural = "where to listen (official links only)"
    fields = ["kind", "content", "url", "order"]
    # An address typed without a scheme is taken as https, the only scheme allowed.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0


class SourceInline(GenericTabularInline):
    """Where the entry's facts come from."""

    model = Source
    fields = ["url", "title", "accessed_on", "supports"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0


class SourcedSourceInline(SourceInline):
    """At least one source: an alias is kept only with a page that states it."""

    min_num = 1
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        # Generic inlines do not pass validate_min on by themselves.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class AliasListMixin:
    """The entry's aliases, with their sources, on its change form; each is edited on its own page (Catalog ›
    Aliases) with the pages that state it."""

    @admin.display(description="Aliases")
    def alias_list(self, obj):
        if obj.pk is None:
            return "Save first, then add aliases."
        entry = "group" if isinstance(obj, Group) else "member"
        aliases = format_html_join(
            ", ", '<a href="{}">{}</a> ({})',
            (
                (reverse("admin:catalog_alias_change", args=[alias.pk]), alias.name,
                 ", ".join(source.title for source in alias.sources.all()) or "no source")
                for alias in obj.aliases.prefetch_related("sources")
            ),
        )
        add = format_html(
            '<a href="{}?{}={}">Add an alias</a>, with the page that states it.',
            reverse("admin:catalog_alias_add"), entry, obj.pk,
        )
        return format_html("{} {}", aliases, add) if aliases else add


class ShowCameoInline(admin.TabularInline):
    model = Cameo
    fields = ["member", "note"]
    autocomplete_fields = ["member"]
    extra = 1


class MemberCameoInline(admin.TabularInline):
    model = Cameo
    fields = ["show", "note"]
    autocomplete_fields = ["show"]
    extra = 0


@admin.register(Agency)
class AgencyAdmin(DeletionInWordsMixin, HistoryAdmin):
    list_display = ["name", "native_name", "group_count"]
    search_fields = ["name", "native_name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(group_count=Count("groups"))

    @admin.display(description="Groups", ordering="group_count")
    def group_count(self, obj):
        return obj.group_count


@admin.register(Network)
class NetworkAdmin(DeletionInWordsMixin, HistoryAdmin):
    list_display = ["name", "show_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(show_count=Count("shows"))

    @admin.display(description="Shows", ordering="show_count")
    def show_count(self, obj):
        return obj.show_count


@admin.register(Language)
class LanguageAdmin(DeletionInWordsMixin, HistoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Group)
class GroupAdmin(DraftAdminMixin, AliasListMixin, DeletionInWordsMixin, PictureAdminMixin, DeskImportExportMixin, HistoryAdmin):
    resource_classes = [GroupResource]
    form = GroupAdminForm
    list_display = ["thumbnail", "name", "agency", "debut_date", "members", "osts", on_site]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["kind", "agency"]
    list_select_related = ["agency"]
    search_fields = ["name", "native_name", "alternative_names", "earlier_names__name", "slug", "agency__name"]
    autocomplete_fields = ["agency"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GroupNameInline, GroupMembershipInline, SourceInline]
    readonly_fields = ["image_preview", "alias_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description="Members", ordering="member_count")
    def members(self, obj):
        return obj.member_count

    @admin.display(description="OSTs", ordering="ost_count")
    def osts(self, obj):
        return obj.ost_count


@admin.register(Member)
class MemberAdmin(AliasListMixin, DeletionInWordsMixin, PictureAdminMixin, DeskImportExportMixin, HistoryAdmin):
    resource_classes = [MemberResource]
    form = MemberAdminForm
    list_display = ["thumbnail", "stage_name", "native_name", "group_names", on_site]
    list_display_links = ["thumbnail", "stage_name"]
    list_filter = ["groups"]
    search_fields = ["stage_name", "native_name", "slug", "groups__name", "groups__native_name"]
    prepopulated_fields = {"slug": ["stage_name"]}
    inlines = [MemberMembershipInline, MemberCameoInline, SourceInline]
    readonly_fields = ["image_preview", "alias_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def autocomplete_label(self, member):
        return member.name_with_groups

    def get_search_results(self, request, queryset, search_term):
        """For a singer or credit picker, the members of the group chosen on the OST come first."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        group = request.GET.get("group", "")
        if request.GET.get("field_name") and group.isdigit():
            in_group = Exists(Membership.objects.filter(group_id=group, member=OuterRef("pk")))
            queryset = queryset.annotate(in_chosen_group=in_group).order_by("-in_chosen_group", "stage_name", "pk")
        return queryset, may_have_duplicates

    @admin.display(description="Groups")
    def group_names(self, obj):
        return ", ".join(group.name for group in obj.groups.all())


@admin.register(Membership)
class MembershipAdmin(DeletionInWordsMixin, HistoryAdmin):
    list_display = ["member", "group", "position", "status", "left_on", "order"]
    list_filter = ["status", "group"]
    list_select_related = ["member", "group"]
    search_fields = ["member__stage_name", "member__native_name", "group__name", "group__native_name"]
    autocomplete_fields = ["member", "group"]
    inlines = [SourceInline]


@admin.register(Show)
class ShowAdmin(DraftAdminMixin, DeletionInWordsMixin, PictureAdminMixin, DeskImportExportMixin, HistoryAdmin):
    resource_classes = [ShowResource]
    form = ShowAdminForm
    list_display = ["thumbnail", "title", "kind", "network", "years", "ost_count", on_site]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["kind", "network", "source_kind", "first_year"]
    list_select_related = ["network"]
    search_fields = ["title", "original_title", "alternative_titles", "slug", "source_title"]
    autocomplete_fields = ["network", "also_on"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ShowCameoInline, SourceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_ost_counts()

    @admin.display(description="Years", ordering="first_year")
    def years(self, obj):
        return obj.years

    @admin.display(description="OSTs", ordering="ost_count")
    def ost_count(self, obj):
        return obj.ost_count


@admin.register(OST)
class OSTAdmin(DraftAdminMixin, MemberPickerMixin, DeletionInWordsMixin, DeskImportExportMixin, HistoryAdmin):
    resource_classes = [OSTResource]
    form = OSTAdminForm
    member_fields = ["singers"]
    list_display = ["title", "artist", "singer_names", "show", "placement_label", "release_year", on_site]
    list_filter = [
        ("artist", admin.RelatedOnlyFieldListFilter),
        ("show", admin.RelatedOnlyFieldListFilter),
        ("show__kind", titled_filter("kind of show", admin.ChoicesFieldListFilter)),
        ("languages", admin.RelatedOnlyFieldListFilter),
        "release_year",
        "placement",
    ]
    list_select_related = ["artist", "show"]
    search_fields = [
        "title",
        "native_title",
        "alternative_titles",
        "slug",
        "singers__stage_name",
        "singers__native_name",
        "artist__name",
        "artist__native_name",
        "artist__alternative_names",
        "credited_as",
        "show__title",
        "show__original_title",
        "show__alternative_titles",
    ]
    search_help_text = "Finds songs by title, singer, group or show."
    autocomplete_fields = ["show", "artist", "singers", "languages"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        ("Publication", {"fields": ["is_draft", "preview_link"]}),
        (None, {"fields": ["title", "native_title", "alternative_titles", "slug", "opened_version"]}),
        ("Song", {
            "fields": [
                "show", "artist", "credited_as", ("placement", "placement_number"), "release", "first_aired_on",
                "languages", "notes",
            ]
        }),
        ("Who sang it", {"fields": ["sung_by_whole_group", "singers"]}),
    ]
    inlines = [CreditInline, ListenLinkInline, SourceInline]

    class Media:
        # The singer and credit pickers ask for the chosen group's members first.
        js = ["admin/js/jquery.init.js", "admin/group_pickers.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("singers")

    def validate_restored(self, obj):
        super().validate_restored(obj)
        obj.validate_singers(obj.singers.all())
        for credit in obj.credits.all():
            credit.full_clean()

    @admin.display(description="Singers")
    def singer_names(self, obj):
        if obj.sung_by_whole_group:
            return "Whole group"
        return ", ".join(singer.stage_name for singer in obj.singers.all())

    @admin.display(description="Placement", ordering="placement")
    def placement_label(self, obj):
        return obj.placement_label


@admin.register(Credit)
class CreditAdmin(DeletionInWordsMixin, HistoryAdmin):
    list_display = ["ost", "member", "role", "unsure", "note"]
    list_filter = ["role", "unsure"]
    list_select_related = ["ost", "member"]
    search_fields = ["ost__title", "ost__native_title", "member__stage_name", "member__native_name"]
    autocomplete_fields = ["ost", "member"]


@admin.register(Alias)
class AliasAdmin(DeletionInWordsMixin, HistoryAdmin):
    """Other names fans search for (SKZ, CB97), each kept with at least one page that states it."""

    list_display = ["name", "entry", "source_list"]
    list_select_related = ["group", "member"]
    search_fields = ["name", "group__name", "member__stage_name"]
    autocomplete_fields = ["group", "member"]
    fields = ["name", "group", "member"]
    inlines = [SourcedSourceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sources")

    @admin.display(description="Group or idol")
    def entry(self, alias):
        return alias.entry

    @admin.display(description="Sources")
    def source_list(self, alias):
        return ", ".join(source.title for source in alias.sources.all())


@admin.register(Cameo)
class CameoAdmin(DeletionInWordsMixin, HistoryAdmin):
    list_display = ["member", "show", "note"]
    list_select_related = ["member", "show"]
    search_fields = ["member__stage_name", "member__native_name", "show__title", "show__original_title"]
    autocomplete_fields = ["member", "show"]


@admin.register(Source)
class SourceAdmin(DeletionInWordsMixin, HistoryAdmin):
    """Every source in one list, to find a site's pages or a dead link; each is edited on its entry's page."""

    list_display = ["title", "entry_link", "supports", "accessed_on", "address"]
    list_filter = ["content_type", "accessed_on"]
    search_fields = ["title", "url", "supports"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content_type").prefetch_related("entry")

    @admin.display(description="Entry")
    def entry_link(self, source):
        if source.entry is None:
            return "—"
        opts = source.entry._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[source.object_id])
        return format_html('<a href="{}">{}: {}</a>', url, capfirst(opts.verbose_name), source.entry)

    @admin.display(description="Address", ordering="url")
    def address(self, source):
        return format_html('<a href="{}" rel="nofollow noopener">{}</a>', source.url, source.url)
