"""Admin forms for catalogue entries with a picture: uploads are checked, then shrunk to the size we show."""

import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from PIL import Image

from .images import ACCEPTED_CONTENT_TYPES, ACCEPTED_EXTENSIONS, ACCEPTED_FORMATS, ACCEPTED_LABEL, fit_image
from .models import Group, Member, Show


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


class GroupAdminForm(PictureForm):
    class Meta(PictureForm.Meta):
        model = Group
        fields = "__all__"


class MemberAdminForm(PictureForm):
    class Meta(PictureForm.Meta):
        model = Member
        fields = "__all__"


class ShowAdminForm(PictureForm):
    class Meta(PictureForm.Meta):
        model = Show
        fields = "__all__"
