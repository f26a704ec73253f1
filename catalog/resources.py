"""Bulk import and export of OSTs, groups, members and shows (django-import-export), from and to CSV or Excel.

Rows are found by their slug, checked with the models' own validation (the rules editors meet in the admin),
and each imported row is an entry in its history. An import with one bad row imports nothing."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from reversion import create_revision, set_comment, set_user

from .models import OST, Agency, Group, Language, Member, Network, Show


class SlugWidget(widgets.ForeignKeyWidget):
    """A related entry named by its slug; an unknown slug is an error on the row, in words."""

    def __init__(self, model, noun):
        super().__init__(model, field="slug")
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"No {self.noun} has the slug “{value}”. Add it first, or correct the slug.") from None


class SlugsWidget(widgets.ManyToManyWidget):
    """Several related entries named by their slugs, comma separated; every one must exist."""

    def __init__(self, model, noun, field="slug"):
        super().__init__(model, separator=",", field=field)
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        found = super().clean(value, row, **kwargs)
        wanted = [part.strip() for part in str(value or "").split(self.separator) if part.strip()]
        known = set(found.values_list(self.field, flat=True))
        unknown = [slug for slug in wanted if slug not in known]
        if unknown:
            raise ValueError(f"No {self.noun} has the {self.field} “{'”, “'.join(unknown)}”.")
        return found


class CatalogueResource(resources.ModelResource):
    """What the four importers share: rows found by slug, whole-file checks before any row, the models'
    validation on every row, and one history entry per imported row."""

    # Columns a file must have (besides the slug) for its rows to make sense.
    required_columns = []

    class Meta:
        import_id_fields = ["slug"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        headers = [header.strip() if isinstance(header, str) else header for header in dataset.headers or []]
        missing = [column for column in ["slug", *self.required_columns] if column not in headers]
        if missing:
            raise ValueError(
                f"The file has no {', '.join(f'“{column}”' for column in missing)} column. Its first row names the "
                f"columns; these are needed: {', '.join(['slug', *self.required_columns])}."
            )
        rows_by_slug = defaultdict(list)
        for number, slug in enumerate(dataset["slug"], start=2):
            if slug not in (None, ""):
                rows_by_slug[str(slug).strip()].append(number)
        repeated = {slug: rows for slug, rows in rows_by_slug.items() if len(rows) > 1}
        if repeated:
            slug, rows = next(iter(repeated.items()))
            raise ValueError(
                f"The slug “{slug}” is on rows {', '.join(map(str, rows[:-1]))} and {rows[-1]}: each row needs a "
                "slug of its own."
            )
        self.history_comment = f"Imported from {kwargs.get('file_name') or 'a file'}."
        self.history_user = kwargs.get("user")
        super().before_import(dataset, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        # Each row is its own history entry, as an edit in the admin is, so undoing one touches no other.
        with create_revision():
            set_comment(getattr(self, "history_comment", "Imported."))
            if getattr(self, "history_user", None) is not None and self.history_user.is_authenticated:
                set_user(self.history_user)
            return super().import_row(row, instance_loader, **kwargs)


class GroupResource(CatalogueResource):
    agency = fields.Field(attribute="agency", column_name="agency", widget=SlugWidget(Agency, "agency"))
    required_columns = ["name", "kind", "agency"]

    class Meta(CatalogueResource.Meta):
        model = Group
        fields = ["slug", "name", "native_name", "alternative_names", "kind", "agency", "agency_note", "debut_date",
                  "description"]


class MemberResource(CatalogueResource):
    required_columns = ["stage_name"]

    class Meta(CatalogueResource.Meta):
        model = Member
        fields = ["slug", "stage_name", "native_name", "description"]


class ShowResource(CatalogueResource):
    network = fields.Field(attribute="network", column_name="network", widget=SlugWidget(Network, "network"))
    also_on = fields.Field(attribute="also_on", column_name="also_on", widget=SlugsWidget(Network, "network"))
    required_columns = ["title", "kind", "network", "first_year"]

    class Meta(CatalogueResource.Meta):
        model = Show
        fields = ["slug", "title", "original_title", "alternative_titles", "kind", "network", "also_on", "country",
                  "first_year", "last_year", "premiered_on", "ended_on", "episodes", "source_kind", "source_title",
                  "source_note", "description"]


class OSTResource(CatalogueResource):
    show = fields.Field(attribute="show", column_name="show", widget=SlugWidget(Show, "show"))
    group = fields.Field(attribute="artist", column_name="group", widget=SlugWidget(Group, "group"))
    singers = fields.Field(attribute="singers", column_name="singers", widget=SlugsWidget(Member, "member"))
    languages = fields.Field(
        attribute="languages", column_name="languages", widget=SlugsWidget(Language, "language", field="code")
    )
    required_columns = ["title", "show", "group", "placement"]

    class Meta(CatalogueResource.Meta):
        model = OST
        fields = ["slug", "title", "native_title", "alternative_titles", "show", "group", "sung_by_whole_group",
                  "singers", "languages", "placement", "placement_number", "release_year", "released_on", "notes"]

    def import_instance(self, instance, row, **kwargs):
        """Besides each field, the singers the row names are checked against the group's line-up at the
        release, as the admin's OST form checks them (they are set only after the row is saved)."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "singers" in row and not {"singers", "artist"} & set(errors):
            try:
                instance.validate_singers(self.fields["singers"].clean(row))
            except ValueError as error:
                errors["singers"] = [ValidationError(str(error), code="invalid")]
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
