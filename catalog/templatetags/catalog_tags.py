import functools
import hashlib

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from catalog.cache import ost_cards
from catalog.models import fixed_url as reverse_fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(viewname):
    """`{% url %}` for a URL without arguments, reversed once per process (see `catalog.models.fixed_url`)."""
    return reverse_fixed_url(viewname)


# Backgrounds dark enough for white initials to pass WCAG AA contrast.
AVATAR_COLOURS = ["#8e3b8e", "#5b4bb7", "#2f5fa7", "#1f6f6b", "#2f7040", "#8a5a00", "#b23a48", "#6d4c41", "#3d5a80", "#9c2f6e"]


def initials(name):
    words = ["".join(c for c in word if c.isalnum()) for word in name.split()]
    words = [word for word in words if word]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper() + words[0][1:2]
    return (words[0][0] + words[-1][0]).upper()


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


@functools.lru_cache(maxsize=512)
def options_html(choices):
    """The <option> elements of `choices`, none selected, made once per process for each list of choices.

    The lists (counts included) only change with the catalogue, so most pages find theirs made.
    """
    # Joined by hand: format_html per option costs more than the rest of the form together.
    return "".join(f'<option value="{escape(key)}">{escape(label)}</option>' for key, label in choices)


@register.simple_tag
def filter_field(field):
    """A filter form field; selects are written here directly.

    Django renders each <option> through a template of its own, which made up nearly half the time of
    an uncached OST list; the markup is the same.
    """
    if not isinstance(field.field.widget, forms.Select):
        return field.as_widget()
    # Through iter(): tuple() would first ask a model select's choices for their length, a COUNT query.
    options = options_html(tuple(iter(field.field.widget.choices)))
    value = field.value()
    for chosen in value if isinstance(value, (list, tuple)) else ["" if value is None else value]:
        option = f'<option value="{escape(chosen)}">'
        options = options.replace(option, f'{option[:-1]} selected>', 1)
    attrs = {"name": field.html_name, "id": field.auto_id}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))


@register.filter
def cards(osts):
    """The OSTs' cards, from the cache where they are already made (`ost_cards`)."""
    return ost_cards(osts)
