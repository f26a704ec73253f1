"""Pickers that know the group: members of the OST's group first, each name with its group; line-ups built on
the group's own page, without a pop-up per member and without typing order numbers."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalog.models import Group, Member, Membership, OST

from .admin_forms import as_post, field_errors, form_data

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = reverse("admin:autocomplete")


def picker(client, term, field="singers", model="ost", group=None):
    params = {"term": term, "app_label": "catalog", "model_name": model, "field_name": field}
    if group is not None:
        params["group"] = group.pk
    response = client.get(AUTOCOMPLETE, params)
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.mark.usefixtures("article_data")
class TestPickers:
    def test_the_chosen_groups_members_come_first(self, admin_client):
        """Typing "Ji" on a TREASURE song offers Jihoon first, then the other groups' Ji… names, each labelled."""
        treasure = Group.objects.get(slug="treasure")
        assert picker(admin_client, "Ji", group=treasure) == [
            "Jihoon (TREASURE)",
            "Bae Jinyoung (CIX)", "Hyunjin (Stray Kids)", "Jinni (NMIXX)", "Jinny (SECRET NUMBER)", "Jiwoo (NMIXX)",
            "Kyujin (NMIXX)", "Minji (SECRET NUMBER)", "Ryujin (ITZY)", "Soojin (i-dle)", "Woojin (Stray Kids)",
            "Yeji (ITZY)",
        ]

    def test_credit_pickers_do_the_same(self, admin_client):
        aespa = Group.objects.get(slug="aespa")
        names = picker(admin_client, "n", field="member", model="credit", group=aespa)
        in_aespa = [name for name in names if name.endswith("(aespa)")]
        assert names[: len(in_aespa)] == in_aespa == ["Karina (aespa)", "Ningning (aespa)", "Winter (aespa)"]

    def test_names_show_their_group_without_a_chosen_group(self, admin_client):
        assert "Winter (aespa)" in picker(admin_client, "Winter")

    def test_chosen_singers_are_shown_with_their_group(self, admin_client):
        once_again = OST.objects.get(slug="once-again")
        response = admin_client.get(reverse("admin:catalog_ost_change", args=[once_again.pk]))
        assertContains(response, ">Winter (aespa)</option>")
        assertContains(response, ">Ningning (aespa)</option>")
        assertContains(response, 'src="/static/admin/group_pickers.js"')


def group_url(group):
    return reverse("admin:catalog_group_change", args=[group.pk])


def add_rows(data, *rows):
    """Fill the form's empty line-up rows (adding more as needed) with `rows` of field values."""
    start = int(data["memberships-INITIAL_FORMS"])
    for i, row in enumerate(rows):
        for name, value in {"status": Membership.Status.CURRENT, **row}.items():
            data[f"memberships-{start + i}-{name}"] = str(value)
    data["memberships-TOTAL_FORMS"] = str(start + len(rows))
    return data


def test_no_popup_to_add_a_member_from_the_line_up(admin_client):
    """The line-up's member picker has no "+" that opened a pop-up with a second membership section."""
    from .factories import make_group

    group = make_group(name="Lumen")
    response = admin_client.get(group_url(group))
    assertNotContains(response, 'id="add_id_memberships-0-member"')
    assertContains(response, "Or a new idol")


def test_a_new_idol_is_typed_into_the_line_up(admin_client):
    """Typing a stage name in an empty row creates the idol and their membership, at the end of the line-up."""
    from .factories import make_group, make_member

    group = make_group(name="Lumen")
    make_member(group=group, stage_name="Ara")
    Membership.objects.update(order=3)
    data = add_rows(form_data(admin_client.get(group_url(group))), {"new_stage_name": "Bomi", "new_native_name": "보미"})
    response = admin_client.post(group_url(group), as_post(data))
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    bomi = Member.objects.get(stage_name="Bomi")
    assert (bomi.native_name, bomi.slug) == ("보미", "bomi")
    assert list(group.memberships.values_list("member__stage_name", "order")) == [("Ara", 3), ("Bomi", 4)]


def test_empty_orders_are_numbered_in_row_order(admin_client):
    """Two new members with no order typed become 1 and 2 of a new line-up."""
    from .factories import make_group, make_member

    group = make_group(name="Lumen")
    ara, bomi = make_member(stage_name="Ara"), make_member(stage_name="Bomi")
    data = add_rows(form_data(admin_client.get(group_url(group))), {"member": ara.pk}, {"member": bomi.pk})
    assert admin_client.post(group_url(group), as_post(data)).status_code == 302
    assert list(group.memberships.order_by("order").values_list("member__stage_name", "order")) == [
        ("Ara", 1), ("Bomi", 2)
    ]


def test_an_idol_picked_and_typed_at_once_is_refused(admin_client):
    from .factories import make_group, make_member

    group = make_group(name="Lumen")
    ara = make_member(stage_name="Ara")
    data = add_rows(form_data(admin_client.get(group_url(group))), {"member": ara.pk, "new_stage_name": "Ara"})
    response = admin_client.post(group_url(group), as_post(data))
    assert field_errors(response, "new_stage_name", "memberships", 0) == [
        "Pick an idol from the archive or type a new one, not both."
    ]
    assert not Membership.objects.exists() and Member.objects.count() == 1


def test_a_new_idol_with_a_taken_slug_gets_another(admin_client):
    """A second "Ara" (another group's) is stored as ara-2 rather than refused."""
    from .factories import make_group, make_member

    make_member(group=make_group(name="Other"), stage_name="Ara")
    group = make_group(name="Lumen")
    data = add_rows(form_data(admin_client.get(group_url(group))), {"new_stage_name": "Ara"})
    assert admin_client.post(group_url(group), as_post(data)).status_code == 302
    assert group.memberships.get().member.slug == "ara-2"
