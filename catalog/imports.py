"""The admin's import and export (django-import-export), in editors' words and with the desk's limits."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm


class LimitedImportForm(ImportForm):
    """An import file is refused before it is read when it is larger than IMPORT_MAX_BYTES."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                "“%(name)s” is %(size)s; an import takes files up to %(limit)s. Split it into smaller files.",
                code="file_too_big",
                params={
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
                },
            )
        return upload


class DeskImportExportMixin(ImportExportMixin):
    """Import from CSV or Excel with a dry run that shows what would change, and nothing imported unless every
    row passes; export of the list as filtered."""

    formats = [CSV, XLSX]
    import_form_class = LimitedImportForm

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing at the confirming step too: should a row have gone bad since the dry run, nothing is kept.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, UnicodeDecodeError):
            message = (
                "The file is not in UTF-8, so its letters would come out wrong. Save it again as “CSV UTF-8” "
                "(or as an Excel workbook) and import that."
            )
        else:
            message = "The file could not be read in the format chosen. Check that it is a CSV or an Excel (.xlsx) file."
        form.add_error("import_file", message)
