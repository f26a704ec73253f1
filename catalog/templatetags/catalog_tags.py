import functools
import hashlib
import re

from django import template
from django.utils.html import format_html

from catalog.models import fixed_url as reverse_fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(viewname):
    """`{% url %}` for a URL without arguments, reversed once per process (see `catalog.models.fixed_url`)."""
    return reverse_fixed_url(viewname)


# Backgrounds dark enough for white initials to pass WCAG AA contrast.
AVATAR_COLOURS = ["#8e3b8e", "#5b4bb7", "#2f5fa7", "#1f6f6b", "#2f7040", "#8a5a00", "#b23a48", "#6d4c41", "#3d5a80", "#9c2f6e"]


def initials(name):
    """Letters only, never digits or signs: "Minji (MY since 2020)" → "MM", "Bang Yedam" → "BY", "i-dle" → "ID",
    "Winter" → "Wi"."""
    words = re.findall(r"[^\W\d_]+", name)
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper() + words[0][1:2]
    return (words[0][0] + words[1][0]).upper()


def avatar_colour(name):
    digest = hashlib.sha256(name.encode()).digest()
    return AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]


@register.simple_tag
@functools.lru_cache(maxsize=4096)
def avatar(name, size=40, css_class="avatar"):
    """Initials on a colour derived from the name, as inline SVG: no photo or third-party service needed.

    Made once per process for each name and size: a group list shows sixty of them.
    """
    return format_html(
        '<svg class="{}" width="{}" height="{}" viewBox="0 0 40 40" aria-hidden="true" focusable="false">'
        '<circle cx="20" cy="20" r="20" fill="{}"/>'
        '<text x="20" y="25.5" text-anchor="middle" font-size="15" font-weight="700" fill="#fff">{}</text></svg>',
        css_class,
        size,
        size,
        avatar_colour(name),
        initials(name),
    )


@register.filter
def script_lang(text):
    """The language tag for a native title: Korean if it has Hangul, otherwise Japanese."""
    return "ko" if any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" for ch in text) else "ja"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def field_label(form, name):
    field = form.fields.get(name)
    return field.label if field else name
