"""A select for long option lists that change only with the catalogue: the filter forms' selects."""

from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


@lru_cache(maxsize=512)
def options_html(options):
    """The <option> elements of `options`, none selected, made once per process for each list; the lists (counts
    included) only change with the catalogue and the filters in use, so most pages find theirs made.

    Each option is (value, label) or (value, label, disabled); an item with a `key` and `options` (a
    `catalog.filters.Optgroup`) is an <optgroup> of such options, its key in `data-group`."""
    html = []
    for item in options:
        if hasattr(item, "options"):
            html.append(f'<optgroup label="{escape(item.label)}" data-group="{escape(item.key)}">')
            html.append(options_html(tuple(item.options)))
            html.append("</optgroup>")
            continue
        value, label, *rest = item
        disabled = " disabled" if rest and rest[0] else ""
        html.append(f'<option value="{escape(value)}"{disabled}>{escape(label)}</option>')
    return "".join(html)


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
