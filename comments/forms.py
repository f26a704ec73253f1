"""The "Leave a Reply" form, with its guards against spam bots (a honeypot and a signed timestamp)."""

import time

from django import forms
from django.conf import settings
from django.core import signing

from .models import Comment

TIMESTAMP_SALT = "comments.form-timestamp"
TOO_SOON = (
    "Your comment was sent within moments of the page loading, which is what spam robots do. "
    "Please check it and post it again."
)
STALE = "This page was loaded too long ago to accept comments. Please post your comment again."
FORGED = "We could not check that this form came from our site. Please post your comment again."
PARENT_GONE = "The comment you replied to is not open for replies. Post again to add yours as a new comment."


def sign_timestamp(at=None):
    return signing.dumps(time.time() if at is None else at, salt=TIMESTAMP_SALT)


def served_at(signed):
    """The time a form was first served, from its signed timestamp; None when it is not one of ours."""
    try:
        return float(signing.loads(signed, salt=TIMESTAMP_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def timestamp_to_send_again(signed):
    """The timestamp for a form shown again with the reader's text: the one they were first served, so the
    form-age clock keeps running from when they loaded the page (a quick typo fix is not a robot's speed);
    a new one only when theirs is not ours or too old to be accepted any more."""
    at = served_at(signed)
    if at is None or time.time() - at > settings.COMMENTS_MAX_FORM_AGE_SECONDS:
        return sign_timestamp()
    return signed


class CommentTextField(forms.CharField):
    """Counts a line break as one character, as the browser's maxlength does (forms send them as CR LF)."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class CommentForm(forms.ModelForm):
    body = CommentTextField(
        label="Comment",
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
        error_messages={"required": "Please type your comment."},
    )
    author_url = forms.URLField(
        label="Website",
        required=False,
        max_length=Comment._meta.get_field("author_url").max_length,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        error_messages={"invalid": "Please enter a web address like https://example.com, or leave Website empty."},
    )
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": PARENT_GONE},
    )
    remember = forms.BooleanField(
        label="Save my name, email, and website in this browser for the next time I comment.", required=False
    )
    timestamp = forms.CharField(widget=forms.HiddenInput, error_messages={"required": FORGED})
    # The honeypot: hidden from people by CSS, filled in by robots that fill in every field.
    comment_hp = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Comment
        fields = ["body", "author_name", "author_email", "author_url", "parent"]
        labels = {"author_name": "Name", "author_email": "Email"}
        widgets = {
            "author_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "author_email": forms.EmailInput(attrs={"autocomplete": "email", "aria-describedby": "email-notes"}),
        }
        error_messages = {
            "author_name": {"required": "Please enter your name."},
            "author_email": {
                "required": "Please enter your email address.",
                "invalid": "Please enter a valid email address, like name@example.com.",
            },
        }

    def __init__(self, target, *args, **kwargs):
        kwargs.setdefault("auto_id", "comment-form-%s")
        kwargs.setdefault("instance", Comment(**({} if target is None else {target._meta.model_name: target})))
        super().__init__(*args, **kwargs)
        self.target = target
        if not self.is_bound:
            self.initial["timestamp"] = sign_timestamp()

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent and (parent.status != Comment.Status.APPROVED or not parent.is_on_same_page_as(self.instance)):
            raise forms.ValidationError(PARENT_GONE, code="invalid_parent")
        return parent

    def clean_timestamp(self):
        at = served_at(self.cleaned_data["timestamp"])
        if at is None:
            raise forms.ValidationError(FORGED, code="forged")
        age = time.time() - at
        if age > settings.COMMENTS_MAX_FORM_AGE_SECONDS:
            raise forms.ValidationError(STALE, code="stale")
        if age < settings.COMMENTS_MIN_FORM_AGE_SECONDS:
            raise forms.ValidationError(TOO_SOON, code="too_soon")
        return at

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and not self.fields[name].widget.is_hidden:
                attrs = self.fields[name].widget.attrs
                described_by = [attrs.get("aria-describedby"), f"{self[name].auto_id}-error"]
                attrs["aria-describedby"] = " ".join(filter(None, described_by))

    @property
    def is_spam(self):
        return bool(self.cleaned_data.get("comment_hp"))

    def prepare_redisplay(self):
        """Ready the bound form to be shown again: the timestamp the reader was first served (a new one if it
        was forged or stale), and no reply to a parent that was refused."""
        self.data = self.data.copy()
        self.data["timestamp"] = timestamp_to_send_again(self.data.get("timestamp"))
        if "parent" in self.errors:
            self.data["parent"] = ""
