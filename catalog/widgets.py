"""A select for long option lists that change only with the catalogue: the filter forms' selects."""

from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


@lru_cache(maxsize=512)
def options_html(options):
    """The <option> elements of `options` ((value, label) pairs), none selected, made once per process for each
    list; the lists (counts included) only change with the catalogue, so most pages find theirs made."""
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in options)


class CachedOptionsSelect(forms.Select):
    """A Select whose options are written from a per-process cache instead of a template per option.

    Django renders every <option> through a template of its own: for the OST filters' few hundred options that
    was 35 ms of an uncached list page (docs/benchmarks.md). The markup is Select's; the widget's and the
    bound field's attributes (id, aria-invalid, aria-describedby) are kept. The view sets `options`, a tuple of
    (value, label) pairs, with `FilterSet.set_options()`; a chosen value is marked selected.
    """

    options = ()

    def render(self, name, value, attrs=None, renderer=None):
        html = options_html(self.options)
        chosen = value if isinstance(value, (list, tuple)) else ["" if value is None else value]
        for item in chosen:
            option = f'<option value="{escape(item)}">'
            html = html.replace(option, f"{option[:-1]} selected>", 1)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(html))
