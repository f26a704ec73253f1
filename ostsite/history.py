"""Every change with its history (django-reversion): the first entry of rows that arrive without one, and the
admin's history pages with the differences and a one-click undo."""

import functools
import json

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from reversion import add_to_revision, is_registered, set_comment
from reversion.errors import RevertError
from reversion.models import Revision, Version
from reversion.revisions import _follow_relations, _get_options
from reversion_compare.admin import CompareVersionAdmin


def _versions(pairs):
    """The versions reversion itself would store for each (row, revision) pair (see
    reversion.revisions._add_to_revision), each model's rows serialized in one go."""
    by_model = {}
    for obj, revision in pairs:
        by_model.setdefault(type(obj), []).append((obj, revision))
    versions = []
    for model, model_pairs in by_model.items():
        options = _get_options(model)
        content_type = ContentType.objects.get_for_model(model)
        serialize = functools.partial(
            serializers.serialize, options.format, fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        )
        objs = [obj for obj, _ in model_pairs]
        if options.format == "json":
            data = [json.dumps([item], cls=DjangoJSONEncoder) for item in json.loads(serialize(objs))]
        else:
            data = [serialize([obj]) for obj in objs]
        versions += [
            Version(
                revision=revision, content_type=content_type, object_id=str(getattr(obj, options.object_id_field)),
                db=obj._state.db, format=options.format, serialized_data=serialized, object_repr=str(obj),
            )
            for (obj, revision), serialized in zip(model_pairs, data)
        ]
    return versions


def _followed_paths(model, prefix="", depth=3):
    """The prefetch paths of everything a row of `model` carries along ("memberships", "memberships__sources")."""
    paths = []
    for name in _get_options(model).follow:
        paths.append(prefix + name)
        related = model._meta.get_field(name).related_model
        if depth > 1 and is_registered(related):
            paths += _followed_paths(related, f"{prefix}{name}__", depth - 1)
    return paths


def _with_followed(obj):
    """`obj` and the rows its history carries along (an OST's credits, a group's memberships)."""
    seen, todo = [], [obj]
    while todo:
        item = todo.pop()
        if item not in seen:
            seen.append(item)
            todo.extend(_follow_relations(item))
    return seen


def _record_first(rows, comment):
    """One history entry per row (with the rows it carries along), as an edit in the admin makes, so undoing
    one never touches another."""
    now = timezone.now()
    revisions = Revision.objects.bulk_create([Revision(date_created=now, comment=comment) for _ in rows])
    Version.objects.bulk_create(
        _versions([(item, revision) for revision, obj in zip(revisions, rows) for item in _with_followed(obj)])
    )
    return len(rows)


def record_first_versions(models, comment):
    """Give each row of `models` that has no history yet a first entry holding it as it is now; rows with a
    history are left alone, so nothing an editor did is ever overwritten. Returns how many rows got one.

    Written in bulk: reversion's `createinitialrevisions` makes one transaction per row, some 3 s for the
    article's catalogue, which every load of the fixture would pay."""
    count = 0
    # Entries that carry rows along first, so those rows are recorded with them rather than on their own.
    models = sorted(models, key=lambda model: not (is_registered(model) and _get_options(model).follow))
    with transaction.atomic():
        for model in models:
            if not is_registered(model):
                continue
            recorded = set(Version.objects.get_for_model(model).values_list("object_id", flat=True))
            rows = [
                obj for obj in model._default_manager.prefetch_related(*_followed_paths(model))
                if str(obj.pk) not in recorded
            ]
            if rows:
                count += _record_first(rows, comment)
    return count


def record_first_versions_of(objects, comment):
    """The same for a few rows of one model (say, the comments a moderator is about to change), before they
    change, so the change can be undone."""
    if not objects:
        return 0
    model = type(objects[0])
    recorded = set(
        Version.objects.get_for_model(model)
        .filter(object_id__in=[str(obj.pk) for obj in objects])
        .values_list("object_id", flat=True)
    )
    with transaction.atomic():
        return _record_first([obj for obj in objects if str(obj.pk) not in recorded], comment)


class HistoryAdmin(CompareVersionAdmin):
    """A model admin whose history page lists every saved version, newest first, each with what changed (the
    comparison of django-reversion-compare), a one-click undo, and a way back to that version; deleted entries
    can be recovered with the rows that followed them."""

    history_latest_first = True
    object_history_template = "admin/history/object_history.html"
    compare_template = "admin/history/compare.html"
    # Stamps that change with every save say nothing an editor needs to see.
    compare_exclude = ["created_at", "updated_at"]

    def compare(self, obj, version1, version2):
        """The fields that differ between two versions. reversion-compare lists a link to another entry (the
        OST's show, say) even when it is the same in both, so those are left out here."""
        diff, has_unfollowed_fields = super().compare(obj, version1, version2)
        before, after = version1.field_dict, version2.field_dict
        diff = [
            item for item in diff
            if not (getattr(item["field"], "many_to_one", False)
                    and before.get(item["field"].attname) == after.get(item["field"].attname))
        ]
        return diff, has_unfollowed_fields

    def get_urls(self):
        opts = self.model._meta
        undo = path(
            "<path:object_id>/history/<int:version_id>/undo/",
            self.admin_site.admin_view(self.undo_view),
            name=f"{opts.app_label}_{opts.model_name}_undo",
        )
        return [undo, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        versions = list(
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision__user")
            .order_by("-pk")
        )
        entries = []
        for index, (version, previous) in enumerate(zip(versions, [*versions[1:], None])):
            entry = {
                "version": version,
                "revision": version.revision,
                "url": reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                               args=[quote(version.object_id), version.pk]),
            }
            if previous is not None:
                compare_url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_compare",
                                      args=[quote(version.object_id)])
                entry["compare_url"] = f"{compare_url}?version_id1={previous.pk}&version_id2={version.pk}"
            if previous is not None and index == 0:
                entry["undo_url"] = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_undo",
                                            args=[quote(version.object_id), version.pk])
            entries.append(entry)
        context = {"action_list": entries, "comparable": len(entries) > 1, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        change_url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[object_id])
        return super().compare_view(request, object_id, {"change_url": change_url, **(extra_context or {})})

    def validate_restored(self, obj):
        """Raise ValidationError if the entry, as a version brought it back, breaks a rule."""
        obj.full_clean()

    def undo_view(self, request, object_id, version_id):
        """Put the entry (and the rows that follow it) back as it was before the change that saved `version_id`,
        as a new change in its history. Refused, with the reason, if that older state breaks a rule now."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        object_id = unquote(object_id)
        history_url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                              args=[quote(object_id)])
        versions = Version.objects.get_for_object_reference(self.model, object_id).order_by("-pk")
        version = get_object_or_404(versions, pk=version_id)
        previous = versions.filter(pk__lt=version.pk).first()
        when = localize(template_localtime(version.revision.date_created))
        if version != versions.first():
            messages.error(
                request,
                "Only the latest change can be undone in one click. To go back further, open an older version "
                "with “Go back to this version”.",
            )
            return redirect(history_url)
        if previous is None:
            messages.error(request, "This is the first version: there is nothing before it to go back to.")
            return redirect(history_url)
        try:
            with transaction.atomic():
                previous.revision.revert(delete=True)
                obj = self.model._default_manager.get(pk=object_id)
                self.validate_restored(obj)
                with self.create_revision(request):
                    set_comment(f"Undid the change of {when}" + (f" ({version.revision.comment})" if version.revision.comment else "") + ".")
                    add_to_revision(obj)
        except ValidationError as error:
            messages.error(request, "This change cannot be undone: " + " ".join(error.messages))
        except (RevertError, ProtectedError) as error:
            messages.error(request, f"This change cannot be undone: {error}")
        else:
            messages.success(request, f"Undone: “{obj}” is back as it was before the change of {when}.")
        return redirect(history_url)
