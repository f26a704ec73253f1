"""Admin forms for catalogue entries with a picture: uploads are checked, then shrunk to the size we show."""

import warnings

from django import forms
from django.conf import settings
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import slugify
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from PIL import Image

from .images import ACCEPTED_CONTENT_TYPES, ACCEPTED_EXTENSIONS, ACCEPTED_FORMATS, ACCEPTED_LABEL, fit_image
from .models import OST, Group, Member, Membership, Show


def unreadable_image_error(name):
    return ValidationError(
        "“%(name)s” is not a picture we can read. Please upload a %(formats)s image.",
        code="invalid_image",
        params={"name": name, "formats": ACCEPTED_LABEL},
    )


def too_many_pixels_error(name, width=None, height=None, frames=1):
    limit = f"{settings.IMAGE_MAX_PIXELS / 1e6:,.1f}".removesuffix(".0") + " megapixels"
    if width is None:
        message, params = "“%(name)s” has far more pixels than the %(limit)s a picture may have.", {}
    elif frames > 1:
        message = "“%(name)s” has %(frames)s frames of %(width)s × %(height)s pixels; an animation may have %(limit)s in all."
        params = {"frames": f"{frames:,}", "width": f"{width:,}", "height": f"{height:,}"}
    else:
        message = "“%(name)s” is %(width)s × %(height)s pixels; a picture may have %(limit)s at most."
        params = {"width": f"{width:,}", "height": f"{height:,}"}
    return ValidationError(
        message + " Please upload a smaller copy (we show pictures at %(box)s pixels at most).",
        code="too_many_pixels",
        params={"name": name, "limit": limit, "box": " × ".join(map(str, settings.IMAGE_MAX_SIZE)), **params},
    )


def check_pixels(upload):
    """Refuse a picture with more pixels than IMAGE_MAX_PIXELS, from its header, before anything decodes it.

    A small file can unpack into billions of pixels (a decompression bomb). Pillow refuses only above twice its
    own limit, and just warns (then decodes it all) in between.
    """
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                frames = getattr(image, "n_frames", 1) if getattr(image, "is_animated", False) else 1
    except Image.DecompressionBombError:
        raise too_many_pixels_error(upload.name) from None
    except Exception:  # Not a picture at all: the image field's own check says so.
        return
    finally:
        upload.seek(0)
    if width * height * frames > settings.IMAGE_MAX_PIXELS:
        raise too_many_pixels_error(upload.name, width, height, frames)


class CatalogImageField(forms.ImageField):
    """
    An image upload that is refused, with a message an editor can act on, when it is too big
    (checked before Pillow opens it), has too many pixels (checked before it is decoded), is not a
    picture, or is in a format we do not take.
    """

    default_validators = [FileExtensionValidator(ACCEPTED_EXTENSIONS)]

    def to_python(self, data):
        size = getattr(data, "size", None)
        if size and size > settings.IMAGE_MAX_BYTES:
            raise ValidationError(
                "“%(name)s” is %(size)s; pictures must be %(limit)s or smaller.",
                code="file_too_big",
                params={
                    "name": data.name,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
                },
            )
        if data is not None and hasattr(data, "seek"):
            check_pixels(data)
        try:
            upload = super().to_python(data)
        except ValidationError as exc:
            if exc.code == "invalid_image":
                raise unreadable_image_error(data.name) from exc
            raise
        if upload is not None and upload.image.format not in ACCEPTED_FORMATS:
            raise unreadable_image_error(data.name)
        return upload

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(ACCEPTED_CONTENT_TYPES)
        return attrs


class OpenedVersionForm(forms.ModelForm):
    """Two editors saving one entry a moment apart: the form carries the entry's `updated_at` as it was when the
    page was opened, and refuses to save over a newer one. The editor keeps what they typed and is told why."""

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.updated_at:
            self.initial["opened_version"] = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned_data = super().clean()
        opened = cleaned_data.get("opened_version")
        if not self.instance.pk or not opened:
            return cleaned_data
        # Locked (on PostgreSQL; SQLite's write lock is taken at BEGIN) so a save at the same moment waits for
        # this one and then sees it.
        model = type(self.instance)
        current = model._default_manager.select_for_update().filter(pk=self.instance.pk).values_list(
            "updated_at", flat=True
        ).first()
        if current is not None and current.isoformat() != opened:
            self.add_error(None, ValidationError(
                "Someone saved this %(entry)s after you opened the page (at %(when)s), so your changes were not "
                "saved over theirs. Open the page again in a new tab to see what they changed, then make your "
                "changes there; what you typed is still below.",
                code="changed_since_opened",
                params={"entry": model._meta.verbose_name, "when": timezone.localtime(current).strftime("%H:%M:%S")},
            ))
        return cleaned_data


class PictureForm(forms.ModelForm):
    """Base for forms of models with an `image`: a new upload is turned upright and shrunk to IMAGE_MAX_SIZE."""

    class Meta:
        field_classes = {"image": CatalogImageField}

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if not isinstance(image, UploadedFile):  # Unchanged, cleared, or empty.
            return image
        try:
            return fit_image(image, settings.IMAGE_MAX_SIZE)
        except (OSError, Image.DecompressionBombError) as exc:
            raise unreadable_image_error(image.name) from exc


class GroupAdminForm(OpenedVersionForm, PictureForm):
    class Meta(PictureForm.Meta):
        model = Group
        fields = "__all__"


class MemberAdminForm(OpenedVersionForm, PictureForm):
    class Meta(PictureForm.Meta):
        model = Member
        fields = "__all__"


class ShowAdminForm(OpenedVersionForm, PictureForm):
    class Meta(PictureForm.Meta):
        model = Show
        fields = "__all__"


class ReleaseField(forms.CharField):
    """One box for when a song came out: a full date when it is known, otherwise just the year."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Released")
        kwargs.setdefault(
            "help_text",
            "When the record came out (single, album or digital release), like 2022-05-22, or just the year when "
            "the day is not known. The day it was first heard on air goes in “first broadcast”.",
        )
        super().__init__(max_length=10, **kwargs)

    def to_python(self, value):
        """(date or None, year or None)."""
        value = super().to_python(value).strip()
        if not value:
            return (None, None)
        if value.isdigit() and len(value) == 4:
            return (None, int(value))
        try:
            day = forms.DateField().to_python(value)
        except ValidationError:
            raise ValidationError(
                "Write the date as 2022-05-22, or just the year, like 2022.", code="invalid_release"
            ) from None
        return (day, day.year)

    def has_changed(self, initial, data):
        try:
            return self.to_python(str(initial or "")) != self.to_python(data)
        except ValidationError:
            return True


class OSTAdminForm(OpenedVersionForm):
    """The OST form. When it came out is one "Released" box (a date or a year), and besides the model's own
    checks the singers it is about to set are checked against the group's line-up at the release (a
    many-to-many value is not on the instance until after it is saved)."""

    release = ReleaseField()

    class Meta:
        model = OST
        exclude = ["release_year", "released_on"]

    # The model's messages about these fields belong on the one box that sets them.
    error_fields = {"release_year": "release", "released_on": "release"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ost = self.instance
        self.initial.setdefault("release", ost.released_on.isoformat() if ost.released_on else ost.release_year or "")

    def clean(self):
        cleaned_data = super().clean()
        if "release" in cleaned_data:
            self.instance.released_on, self.instance.release_year = cleaned_data["release"]
        return cleaned_data

    def add_error(self, field, error):
        if field is None and hasattr(error, "error_dict"):
            moved = {}
            for name, errors in error.error_dict.items():
                moved.setdefault(self.error_fields.get(name, name), []).extend(errors)
            error = ValidationError(moved)
        super().add_error(self.error_fields.get(field, field), error)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or "singers" not in getattr(self, "cleaned_data", {}):
            return
        try:
            self.instance.validate_singers(self.cleaned_data["singers"])
        except ValidationError as error:
            self.add_error(None, error)


class MemberChoiceField(forms.ModelChoiceField):
    """A member picked by name, shown with their groups: "Winter (aespa)"."""

    def label_from_instance(self, member):
        return member.name_with_groups


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member):
        return member.name_with_groups


class MembershipForm(forms.ModelForm):
    """A membership row whose line-up number can be left empty (see NumberedMembershipFormSet)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].initial = None
        self.fields["order"].help_text = "Leave empty to put them at the end of the line-up."


class GroupMembershipForm(MembershipForm):
    """A row of a group's line-up: an existing idol picked by name, or a new one typed in on the spot, so adding
    a group's members needs no pop-up per member (whose own membership section let one be entered twice)."""

    new_stage_name = forms.CharField(
        label="or a new idol", max_length=100, required=False,
        help_text="Type the stage name of an idol who is not in the archive yet.",
    )
    new_native_name = forms.CharField(label="Native name", max_length=100, required=False)

    class Meta:
        model = Membership
        fields = ["member", "new_stage_name", "new_native_name", "position", "status", "left_on", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].required = False

    def clean(self):
        cleaned_data = super().clean()
        member, new_name = cleaned_data.get("member"), cleaned_data.get("new_stage_name", "").strip()
        if member and new_name:
            self.add_error("new_stage_name", ValidationError(
                "Pick an idol from the archive or type a new one, not both.", code="member_twice"))
        elif not member and not new_name and self.has_changed():
            self.add_error("member", ValidationError(
                "Pick an idol, or type the stage name of a new one.", code="member_missing"))
        return cleaned_data

    def save(self, commit=True):
        new_name = self.cleaned_data.get("new_stage_name", "").strip()
        if new_name and not self.instance.member_id:
            self.instance.member = Member.objects.create(
                stage_name=new_name,
                native_name=self.cleaned_data.get("new_native_name", "").strip(),
                slug=unique_slug(new_name, Member),
            )
        return super().save(commit)


def unique_slug(name, model):
    """A slug for `name` that no row of `model` has yet: "winter", else "winter-2", "winter-3"…"""
    base = slugify(name, allow_unicode=True)[:90] or "idol"
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class NumberedMembershipFormSet(BaseInlineFormSet):
    """Memberships whose order is left empty are numbered after the highest one of their group, in the order
    of the rows, so nobody has to type line-up numbers."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]
        highest = {}
        for form in rows:
            group_id, order = form.instance.group_id, form.cleaned_data.get("order")
            if order:
                highest[group_id] = max(highest.get(group_id, 0), order)
        for form in rows:
            if form.cleaned_data.get("order"):
                continue
            group_id = form.instance.group_id
            if group_id not in highest:
                stored = Membership.objects.filter(group_id=group_id).exclude(pk=form.instance.pk)
                highest[group_id] = stored.aggregate(top=Max("order"))["top"] or 0 if group_id else 0
            highest[group_id] += 1
            form.instance.order = highest[group_id]
