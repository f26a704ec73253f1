"""Upgrading a site that already has a catalogue: the new migrations only add, and keep search working."""

import pytest

from catalog.filters import search_osts
from catalog.models import OST, Group

from .upgrades import a_song_saved_at


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_editors_data_and_credits_songs_as_their_group_is_named():
    a_song_saved_at("0009_editor_wording", "(G)I-DLE", "Help Me", "Her Private Life", 2019)

    group = Group.objects.get(slug="gi-dle")
    assert group.name == "(G)I-DLE"  # an editor renames it; the upgrade does not
    ost = OST.objects.get(slug="help-me")
    assert ost.credited_as == "(G)I-DLE"
    group.name = "i-dle"
    group.save()
    ost = OST.objects.select_related("artist").get(slug="help-me")
    assert (ost.credited_name, ost.group_renamed) == ("(G)I-DLE", True)
    # The title search index is up to date after the migrations that rebuild the OST table.
    assert list(search_osts(OST.objects.all(), "Help").values_list("slug", flat=True)) == ["help-me"]
