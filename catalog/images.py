"""Pictures for the catalogue: which formats we take, and shrinking uploads to the size we show."""

import io
import os

from django.core.files.base import ContentFile
from PIL import ExifTags, Image, ImageOps, ImageSequence

# Pillow's format name -> the extensions a file in that format may carry (the first is used when renaming).
ACCEPTED_FORMATS = {
    "JPEG": ("jpg", "jpeg"),
    "PNG": ("png",),
    "WEBP": ("webp",),
    "GIF": ("gif",),
}
ACCEPTED_EXTENSIONS = [ext for exts in ACCEPTED_FORMATS.values() for ext in exts]
ACCEPTED_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]
ACCEPTED_LABEL = "JPEG, PNG, WebP or GIF"


def fit_image(file, max_size):
    """
    Return `file` turned upright (EXIF orientation) and shrunk to fit within `max_size`, keeping
    its aspect ratio and its format. A picture that already fits and is upright comes back as the
    same file, not re-encoded. Raises OSError (or Pillow's DecompressionBombError) when the
    picture cannot be decoded.
    """
    file.seek(0)
    with Image.open(file) as image:
        image.load()  # Decode now, so a truncated file fails here rather than on the public site.
        fmt = image.format
        upright = image.getexif().get(ExifTags.Base.Orientation, 1) == 1
        if upright and image.width <= max_size[0] and image.height <= max_size[1]:
            file.seek(0)
            file.name = _name_for(file.name, fmt)
            return file
        buffer = io.BytesIO()
        if getattr(image, "is_animated", False):
            _save_animation(image, buffer, max_size)
        else:
            picture = _shrink(ImageOps.exif_transpose(image), max_size)
            picture.save(buffer, format=fmt, **_save_options(fmt, image))
    return ContentFile(buffer.getvalue(), name=_name_for(file.name, fmt))


def _shrink(picture, max_size):
    # Palette and 1-bit pictures would be resized with nearest-neighbour; work in full colour instead.
    if picture.mode in ("P", "1"):
        picture = picture.convert("RGBA" if picture.mode == "P" else "L")
    picture.thumbnail(max_size, Image.Resampling.LANCZOS)
    return picture


def _save_animation(image, buffer, max_size):
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", image.info.get("duration", 100)))
        frames.append(_shrink(frame.copy(), max_size))
    frames[0].save(
        buffer,
        format=image.format,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=image.info.get("loop", 0),
        **_save_options(image.format, image),
    )


def _save_options(fmt, original):
    # EXIF is dropped on purpose: it can hold where and when a photo was taken.
    options = {}
    if original.info.get("icc_profile"):
        options["icc_profile"] = original.info["icc_profile"]
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = 90
    if fmt in ("JPEG", "PNG"):
        options["optimize"] = True
    return options


def _name_for(name, fmt):
    """`name` without its folders, with an extension that matches the picture's real format."""
    stem, ext = os.path.splitext(os.path.basename(name))
    extensions = ACCEPTED_FORMATS.get(fmt)
    if not extensions or ext.lstrip(".").lower() in extensions:
        return os.path.basename(name)
    return f"{stem}.{extensions[0]}"
