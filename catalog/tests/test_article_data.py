"""The article's catalogue: `seed_article` loads it only into an empty catalogue, `reset_to_article` erases
whatever is there (after asking) and loads it again."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from catalog.models import OST, Group, Language, Show
from catalog.tests.factories import make_language, make_ost
from comments.models import Comment
from comments.tests.factories import make_comment
from ostsite.tests.servers import manage, site_env

pytestmark = pytest.mark.django_db

COUNTS = "from catalog.models import OST; from comments.models import Comment; print(OST.objects.count(), Comment.objects.count())"


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def found(client, q):
    response = client.get(reverse("catalog:ost-list"), {"q": q})
    return {ost.slug for ost in response.context["paginator"].object_list}


def test_seed_article_fills_an_empty_catalogue():
    """21 OSTs, 16 shows and 12 groups, as the article has them."""
    output = run("seed_article")
    assert (OST.objects.count(), Show.objects.count(), Group.objects.count()) == (21, 16, 12)
    assert "Loaded the article's catalogue: " in output and "21 OSTs" in output


def test_seed_article_leaves_a_catalogue_that_holds_anything_alone():
    """Even one language added by hand is a catalogue someone made: nothing is loaded over it."""
    make_language(name="Test language", code="x-test")
    output = run("seed_article")
    assert OST.objects.count() == 0
    assert list(Language.objects.values_list("code", flat=True)) == ["x-test"]
    assert "The catalogue already holds data (1 languages): left as it is." in output
    assert "`manage.py reset_to_article` replaces it" in output


def test_seed_article_keeps_edits_deletions_and_additions():
    run("seed_article")
    OST.objects.filter(slug="once-again").update(notes="Edited.")
    OST.objects.get(slug="win").delete()
    added = make_ost(title="Added by an editor")
    run("seed_article")
    assert OST.objects.get(slug="once-again").notes == "Edited."
    assert not OST.objects.filter(slug="win").exists()
    assert OST.objects.filter(pk=added.pk).exists() and OST.objects.count() == 21


@pytest.mark.django_db(transaction=True)  # cached lists go stale when the reset commits
def test_reset_erases_catalogue_and_comments_keeps_accounts_and_search_follows(client):
    """After a reset the catalogue is the article's again, comments are gone, accounts stay, and the search index
    knows it: the added OST is not found, the deleted one is."""
    run("seed_article")
    OST.objects.filter(slug="once-again").update(notes="Edited.")
    OST.objects.get(slug="win").delete()
    make_ost(title="Starlight Promise", slug="starlight-promise")
    make_comment(OST.objects.get(slug="once-again"))
    make_comment(None)  # on the home page
    get_user_model().objects.create_user("editor")
    assert found(client, "starlight") == {"starlight-promise"}

    output = run("reset_to_article", "--no-input")

    assert "Erased " in output and "2 comments" in output and "Loaded the article's catalogue" in output
    assert OST.objects.count() == 21 and Comment.objects.count() == 0
    assert OST.objects.get(slug="once-again").notes != "Edited."
    assert get_user_model().objects.filter(username="editor").exists()
    assert found(client, "starlight") == set()
    assert found(client, "WIN") >= {"win"}
    assert client.get("/osts/win/").status_code == 200


def test_reset_asks_first_and_stops_without_a_yes(tmp_path):
    """Without --no-input it lists what it will erase and erases nothing unless the answer is "yes"."""
    env = site_env(tmp_path)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_article", "-v0")
    manage(env, "shell", "-v", "0", "-c", "from catalog.models import OST; OST.objects.get(slug='win').delete()")
    refused = manage(env, "reset_to_article", input="no\n", check=False)
    assert refused.returncode == 1
    assert "This erases everything in the catalogue and every comment: " in refused.stdout
    assert "20 OSTs" in refused.stdout and "Every edit, deletion and addition made in the admin is lost" in refused.stdout
    assert "Nothing was changed." in refused.stderr
    assert manage(env, "shell", "-v", "0", "-c", COUNTS).stdout.split() == ["20", "0"]
    manage(env, "reset_to_article", input="yes\n")
    assert manage(env, "shell", "-v", "0", "-c", COUNTS).stdout.split() == ["21", "0"]
