"""Django's form renderer, with the plain <input> and <textarea> widgets written in Python.

Each widget otherwise goes through two or three templates (input.html, attrs.html), which came to a
sixth of an uncached page with a comment form. The markup is Django's own, character for character
(catalog/tests/test_form_renderer.py); every other widget is rendered from its template as usual.
"""

import html

from django.forms.renderers import DjangoTemplates


def _text(value):
    # The templates' {{ value|stringformat:'s' }} under autoescaping: Django's conditional_escape, without
    # its lazy-string wrapper, which cost more than the escaping here.
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs):
    # attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_text(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget):
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


# The widget templates that are input.html unchanged, and textarea.html.
WRITERS = {
    **{f"django/forms/widgets/{kind}.html": _input for kind in ("input", "text", "email", "url", "hidden", "checkbox", "number", "password")},
    "django/forms/widgets/textarea.html": _textarea,
}


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        if write is None:
            return super().render(template_name, context, request)
        return write(context["widget"])
