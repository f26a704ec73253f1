from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"

    def ready(self):
        from ostsite.page_cache import per_visitor_input

        from .forms import sign_timestamp
        from .models import Comment
        from .publication import comment_changed

        post_save.connect(comment_changed, sender=Comment, dispatch_uid="comment-saved")
        post_delete.connect(comment_changed, sender=Comment, dispatch_uid="comment-deleted")
        # The form's signed time of serving: cached pages carry it, so each reader gets their own.
        per_visitor_input("timestamp", lambda request: sign_timestamp())
