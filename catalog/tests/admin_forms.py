"""Filling in a real admin form as a browser would: what the page shows is what gets posted."""

from html.parser import HTMLParser

from django.http import QueryDict


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's form with id `form_id` (the admin's change form)."""

    def __init__(self, form_id, action=None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.action = action
        self.in_form = False
        self.data = QueryDict(mutable=True)
        self.select = None
        self.select_has_selection = False
        self.first_option = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (
            attrs.get("id") == self.form_id or self.action and self.action in (attrs.get("action") or "")
        ):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data.appendlist(name, attrs.get("value", "on"))
                return
            self.data.appendlist(name, attrs.get("value", ""))
        elif tag == "select" and name and "__prefix__" not in name:
            self.select = {"name": name, "multiple": "multiple" in attrs}
            self.select_has_selection = False
            self.first_option = None
        elif tag == "option" and self.select is not None:
            self.option = attrs.get("value")
            if self.first_option is None:
                self.first_option = self.option
            if "selected" in attrs:
                self.select_has_selection = True
                self.data.appendlist(self.select["name"], self.option or "")
        elif tag == "textarea" and name and "__prefix__" not in name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select" and self.select is not None:
            if not self.select["multiple"] and not self.select_has_selection and self.first_option is not None:
                self.data.appendlist(self.select["name"], self.first_option)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.data.appendlist(name, text.removeprefix("\n"))
            self.textarea = None


def form_data(response, form_id=None, action=None):
    """The data a browser would post back from the admin page in `response`, unchanged: the form with id
    `form_id` (the change form by default), or the one posting to an address containing `action`."""
    html = response.content.decode()
    if form_id is None and action is None:
        opts = response.context["opts"]
        form_id = f"{opts.model_name}_form"
    parser = _FormFields(form_id, action)
    parser.feed(html)
    return parser.data


def post_form(client, url, changes=None, remove=()):
    """Open the admin form at `url`, change some fields (a list value for a multiple choice) and post it back."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    for name in remove:
        data.pop(name, None)
    for name, value in (changes or {}).items():
        if isinstance(value, (list, tuple)):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = "" if value is None else str(value)
    return client.post(url, as_post(data))


def as_post(data):
    """A QueryDict as the test client posts it: every value of a multiple choice, not just the last."""
    return {name: data.getlist(name) for name in data}


def field_errors(response, field, formset_prefix=None, row=0):
    """The messages shown on one field of the admin form (or of one inline row)."""
    if formset_prefix is None:
        form = response.context["adminform"].form
    else:
        formset = next(
            inline.formset for inline in response.context["inline_admin_formsets"]
            if inline.formset.prefix == formset_prefix
        )
        form = formset.forms[row]
    return list(form.errors.get(field, []))
