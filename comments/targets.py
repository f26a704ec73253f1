"""The pages a comment can be on: the home page (no target) or one OST, show, group or member."""

from django.apps import apps
from django.urls import reverse

HOME = "home"
# The Comment foreign keys to the pages, named as the models they point to (comment.ost -> catalog.OST).
TARGET_FIELDS = ("ost", "show", "group", "member")


class UnknownTarget(Exception):
    """The form named a page that does not exist (status is the HTTP status to answer with)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = status


def target_type(target):
    return HOME if target is None else target._meta.model_name


def get_target(kind, pk):
    """The page a posted form names, from its `target_type` and `target_id` fields (None is the home page)."""
    if kind == HOME and not pk:
        return None
    if kind not in TARGET_FIELDS:
        raise UnknownTarget("We could not tell which page your comment is for.", status=400)
    model = apps.get_model("comments", "Comment")._meta.get_field(kind).related_model
    try:
        # A draft's page is not public: nobody comments on it.
        return model.objects.published().get(pk=int(pk))
    except (TypeError, ValueError, model.DoesNotExist):
        raise UnknownTarget("The page you commented on does not exist (any more).", status=404) from None


def page_url(target):
    return reverse("catalog:home") if target is None else target.get_absolute_url()
