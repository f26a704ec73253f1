"""The fast form renderer writes exactly the markup of Django's widget templates."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from catalog.filters import OSTFilter, ShowFilter
from catalog.models import OST, Show
from catalog.tests.factories import make_ost
from comments.forms import CommentForm
from comments.tests.factories import form_data
from ostsite.form_renderer import WRITERS, FastWidgetRenderer

pytestmark = pytest.mark.django_db


def both_ways(form):
    """Each field of `form` as Django's templates write it and as the fast renderer does."""
    pairs = []
    for renderer in (DjangoTemplates(), FastWidgetRenderer()):
        form.renderer = renderer
        pairs.append([str(field) for field in form])
    return list(zip(*pairs))


class Odd(forms.Form):
    """Attributes that are True, False, numbers, already safe or lazy, and values that need escaping."""

    flag = forms.BooleanField(widget=forms.CheckboxInput(attrs={"data-on": True, "data-off": False}))
    size = forms.IntegerField(widget=forms.NumberInput(attrs={"step": 5, "title": 'say "hi" & <go>'}))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-safe": mark_safe("<b>&amp;</b>"), "title": gettext_lazy("Say & go")}))


def test_the_fast_renderer_is_the_site_renderer(settings):
    assert settings.FORM_RENDERER == "ostsite.form_renderer.FastWidgetRenderer"


@pytest.mark.parametrize(
    "make_form",
    [
        lambda ost: CommentForm(ost),
        lambda ost: CommentForm(ost, form_data(ost, body='<b>"Tom & Jerry"</b>\n', author_name="", author_url="nope", remember="on")),
        lambda ost: CommentForm(None, form_data(None, author_email="a'b@example.com", comment_hp="x")),
        lambda ost: OSTFilter(QueryDict("q=%3Cscript%3E+%22moon%22&year=abc"), queryset=OST.objects.all()).form,
        lambda ost: ShowFilter(QueryDict("year=19x9"), queryset=Show.objects.all()).form,
        lambda ost: Odd({"flag": "on", "size": "10", "secret": "p<w>", "note": "a & b"}),
        lambda ost: Odd(initial={"size": 7}),
    ],
    ids=["comment-empty", "comment-errors", "comment-home", "ost-filter", "show-filter", "odd-bound", "odd-initial"],
)
def test_each_widget_is_written_as_its_template_writes_it(make_form):
    form = make_form(make_ost())
    form.is_valid()  # errors add aria-invalid and aria-describedby
    rendered = both_ways(form)
    assert rendered
    for from_templates, fast in rendered:
        assert fast == from_templates


def test_other_widgets_still_use_their_templates():
    """A select is not among the written widgets and comes out of select.html unchanged."""
    field = forms.ChoiceField(choices=[("a", "A & B")])
    form = forms.Form()
    form.fields["pick"] = field
    form.renderer = FastWidgetRenderer()
    assert "django/forms/widgets/select.html" not in WRITERS
    assert str(form["pick"]) == '<select name="pick" id="id_pick">\n  <option value="a">A &amp; B</option>\n\n</select>'
