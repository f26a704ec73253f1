"""The catalogue admin: every page opens, search, inlines, edits, picture uploads and changelist query counts."""

import datetime
import io
import random
import struct
import zlib

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from catalog.images import fit_image
from catalog.models import OST, Cameo, Credit, Group, Member, Membership, Show
from catalog.tests.factories import (
    make_agency,
    make_group,
    make_language,
    make_member,
    make_network,
    make_ost,
    make_show,
)

pytestmark = pytest.mark.django_db

# The prefix of the Sources rows on an entry's page (a generic inline).
SOURCES = "catalog-source-content_type-object_id"

CATALOG_MODELS = [model for model in admin.site._registry if model._meta.app_label == "catalog"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def catalogue():
    """A small catalogue touching every model, so changelist columns have something to show."""
    group = make_group(name="TWICE", native_name="트와이스")
    member = make_member(group=group, stage_name="Jihyo", position="leader")
    show = make_show(title="Twenty-Five Twenty-One", original_title="스물다섯 스물하나")
    ost = make_ost(title="Like a Star", native_title="별처럼", show=show, artist=group, singers=[member])
    ost.languages.add(make_language(name="Korean", code="ko"))
    Credit.objects.create(ost=ost, member=member, role=Credit.Role.LYRICS)
    Cameo.objects.create(member=member, show=show)
    return {"group": group, "member": member, "show": show, "ost": ost}


def png_bytes(size, color="purple", fmt="PNG", **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def noise_png(size):
    """A PNG that does not compress, so its file size is predictable."""
    buffer = io.BytesIO()
    pixels = random.Random(0).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, pixels).save(buffer, "PNG")
    return buffer.getvalue()


def management_form(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def group_post_data(agency, **overrides):
    data = {
        "name": "Kep1er",
        "native_name": "케플러",
        "alternative_names": "",
        "slug": "kep1er",
        "kind": Group.Kind.GIRL,
        "agency": str(agency.pk),
        "agency_note": "",
        "debut_date": "2022-01-03",
        "description": "",
        **management_form("earlier_names"),
        **management_form("memberships"),
        **management_form(SOURCES),
    }
    data.update(overrides)
    return data


def uploaded_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model._meta.model_name)
def test_changelist_and_add_page_open(admin_client, catalogue, model):
    """Every catalogue changelist (with rows in it) and add page answers 200 for a superuser."""
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


def test_every_catalogue_model_is_registered():
    """Each catalogue model has an admin; comments are left to the comments app."""
    names = {model.__name__ for model in CATALOG_MODELS}
    assert names == {
        "Agency", "Network", "Language", "Group", "Member", "Membership", "Show", "OST", "Credit", "Cameo", "Source",
        "Alias",
    }


@pytest.mark.parametrize("key", ["group", "member", "show", "ost"])
def test_change_page_opens(admin_client, catalogue, key):
    """The change forms with inlines open for existing rows."""
    obj = catalogue[key]
    opts = obj._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assertContains(response, str(obj))


def test_search_osts_by_hangul_title(admin_client, catalogue):
    """Searching the OST changelist for part of a Hangul title finds that song only."""
    make_ost(title="Other Song", native_title="다른 노래")
    response = admin_client.get(reverse("admin:catalog_ost_changelist"), {"q": "별처"})
    assertContains(response, "Like a Star")
    assertNotContains(response, "Other Song")


def test_search_osts_by_group_name(admin_client, catalogue):
    """Searching the OST changelist for a group's name lists that group's songs."""
    make_ost(title="Other Song", artist=make_group(name="IVE"))
    response = admin_client.get(reverse("admin:catalog_ost_changelist"), {"q": "twice"})
    assertContains(response, "Like a Star")
    assertNotContains(response, "Other Song")


def test_search_members_by_group_name(admin_client, catalogue):
    """Searching members for a group's Hangul name lists its members once each."""
    make_member(group=make_group(name="IVE"), stage_name="Wonyoung")
    response = admin_client.get(reverse("admin:catalog_member_changelist"), {"q": "트와이스"})
    assertContains(response, "Jihyo")
    assertNotContains(response, "Wonyoung")
    assert response.context["cl"].result_count == 1


def test_add_group_with_memberships_inline(admin_client):
    """Adding a group with two membership rows creates the group and both memberships."""
    agency = make_agency(name="WAKEONE")
    yujin, xiaoting = make_member(stage_name="Choi Yujin"), make_member(stage_name="Xiaoting")
    data = group_post_data(
        agency,
        **management_form("memberships", total=2),
        **{
            "memberships-0-member": str(yujin.pk),
            "memberships-0-position": "leader",
            "memberships-0-status": Membership.Status.CURRENT,
            "memberships-0-order": "1",
            "memberships-1-member": str(xiaoting.pk),
            "memberships-1-status": Membership.Status.FORMER,
            "memberships-1-left_on": "2025-07-03",
            "memberships-1-order": "2",
        },
    )
    response = admin_client.post(reverse("admin:catalog_group_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    group = Group.objects.get(slug="kep1er")
    rows = {m.member.stage_name: (m.position, m.status, str(m.left_on)) for m in group.memberships.all()}
    assert rows == {
        "Choi Yujin": ("leader", Membership.Status.CURRENT, "None"),
        "Xiaoting": ("", Membership.Status.FORMER, "2025-07-03"),
    }


def test_membership_inline_refuses_leave_date_for_current_member(admin_client):
    """A current member with a leaving date is refused by the inline and nothing is created."""
    agency = make_agency()
    member = make_member()
    data = group_post_data(
        agency,
        **management_form("memberships", total=1),
        **{
            "memberships-0-member": str(member.pk),
            "memberships-0-status": Membership.Status.CURRENT,
            "memberships-0-left_on": "2024-01-01",
            "memberships-0-order": "0",
        },
    )
    response = admin_client.post(reverse("admin:catalog_group_add"), data)
    assert response.status_code == 200
    assert not Group.objects.exists()
    assert not Membership.objects.exists()


def test_change_ost_updates_database(admin_client, catalogue):
    """Editing an OST's fields, singers, languages and credits through the admin saves them."""
    ost = catalogue["ost"]
    other = make_member(group=catalogue["group"], stage_name="Nayeon")
    english = make_language(name="English", code="en")
    credit = ost.credits.get()
    data = {
        "title": "Like a Star (Remix)",
        "native_title": "별처럼",
        "alternative_titles": "",
        "slug": ost.slug,
        "show": str(ost.show.pk),
        "artist": str(ost.artist.pk),
        "singers": [str(catalogue["member"].pk), str(other.pk)],
        "languages": [str(english.pk)],
        "placement": OST.Placement.ENDING,
        "placement_number": "2",
        "release": "2023-05-06",
        "notes": "Remixed for the finale.",
        **management_form(SOURCES),
        **management_form("credits", total=2, initial=1),
        **management_form("listen_links"),
        "credits-0-id": str(credit.pk),
        "credits-0-ost": str(ost.pk),
        "credits-0-member": str(catalogue["member"].pk),
        "credits-0-role": Credit.Role.LYRICS,
        "credits-0-note": "",
        "credits-1-ost": str(ost.pk),
        "credits-1-member": str(other.pk),
        "credits-1-role": Credit.Role.COMPOSITION,
        "credits-1-note": "co-written",
    }
    response = admin_client.post(reverse("admin:catalog_ost_change", args=[ost.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ost.refresh_from_db()
    assert ost.title == "Like a Star (Remix)"
    assert ost.placement_label == "Ending 2"
    assert (ost.released_on, ost.release_year) == (datetime.date(2023, 5, 6), 2023)  # One "Released" box sets both.
    assert set(ost.singers.values_list("stage_name", flat=True)) == {"Jihyo", "Nayeon"}
    assert list(ost.languages.all()) == [english]
    assert set(ost.credits.values_list("member__stage_name", "role")) == {
        ("Jihyo", Credit.Role.LYRICS),
        ("Nayeon", Credit.Role.COMPOSITION),
    }


def test_big_png_upload_is_resized(admin_client, settings, media_root):
    """A 3000×1500 PNG is stored as a PNG shrunk to fit IMAGE_MAX_SIZE, aspect ratio kept."""
    settings.IMAGE_MAX_SIZE = (1200, 1200)
    upload = SimpleUploadedFile("wide.png", png_bytes((3000, 1500)), content_type="image/png")
    response = admin_client.post(reverse("admin:catalog_group_add"), group_post_data(make_agency(), image=upload))
    assert response.status_code == 302, response.context["adminform"].form.errors
    group = Group.objects.get(slug="kep1er")
    assert group.image.name.startswith("groups/wide")
    with Image.open(media_root / group.image.name) as stored:
        assert stored.format == "PNG"
        assert stored.size == (1200, 600)


def test_small_upload_is_stored_unchanged(admin_client, media_root):
    """A picture that already fits is stored byte for byte as uploaded."""
    content = png_bytes((300, 200))
    upload = SimpleUploadedFile("small.png", content, content_type="image/png")
    show = make_show()
    data = {
        "title": show.title,
        "slug": show.slug,
        "kind": show.kind,
        "network": str(show.network.pk),
        "first_year": "2022",
        "image": upload,
        **management_form("cameos"),
        **management_form(SOURCES),
    }
    response = admin_client.post(reverse("admin:catalog_show_change", args=[show.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    show.refresh_from_db()
    assert (media_root / show.image.name).read_bytes() == content


def test_change_form_previews_picture_and_changelist_shows_thumbnail(admin_client, catalogue):
    """Once a group has a picture, its change form previews it and the changelist shows a thumbnail."""
    group = catalogue["group"]
    group.image = SimpleUploadedFile("twice.png", png_bytes((100, 100)), content_type="image/png")
    group.save()
    change = admin_client.get(reverse("admin:catalog_group_change", args=[group.pk]))
    assertContains(change, f'alt="Current picture of {group.name}"')
    assertContains(change, f'src="{group.image.url}"')
    changelist = admin_client.get(reverse("admin:catalog_group_changelist"))
    assertContains(changelist, f'<img src="{group.image.url}" alt=""', count=1)


def test_text_file_named_png_is_refused(admin_client, media_root):
    """A text file renamed fake.png is refused with a clear message, nothing is saved, typed fields are kept."""
    upload = SimpleUploadedFile("fake.png", b"this is a shopping list, not a picture", content_type="image/png")
    response = admin_client.post(reverse("admin:catalog_group_add"), group_post_data(make_agency(), image=upload))
    assert response.status_code == 200
    assertContains(response, "“fake.png” is not a picture we can read. Please upload a JPEG, PNG, WebP or GIF image.")
    assertContains(response, 'value="Kep1er"')
    assertContains(response, 'value="케플러"')
    assert not Group.objects.exists()
    assert uploaded_files(media_root) == []


def test_truncated_png_is_refused(admin_client, media_root):
    """A PNG cut off halfway through is refused with the same message rather than stored broken."""
    content = noise_png((200, 200))
    upload = SimpleUploadedFile("cut.png", content[: len(content) // 2], content_type="image/png")
    response = admin_client.post(reverse("admin:catalog_group_add"), group_post_data(make_agency(), image=upload))
    assertContains(response, "“cut.png” is not a picture we can read.")
    assert not Group.objects.exists()
    assert uploaded_files(media_root) == []


def test_unaccepted_format_is_refused(admin_client, media_root):
    """A real picture in a format we do not take (BMP) is refused, naming the formats we do take."""
    upload = SimpleUploadedFile("old.bmp", png_bytes((50, 50), fmt="BMP"), content_type="image/bmp")
    response = admin_client.post(reverse("admin:catalog_group_add"), group_post_data(make_agency(), image=upload))
    assertContains(response, "“old.bmp” is not a picture we can read. Please upload a JPEG, PNG, WebP or GIF image.")
    assert not Group.objects.exists()


def test_oversize_file_is_refused(admin_client, settings, media_root):
    """A file over IMAGE_MAX_BYTES is refused with a message giving the limit, and nothing is saved."""
    settings.IMAGE_MAX_BYTES = 10_000
    content = noise_png((100, 100))
    assert len(content) > 10_000
    upload = SimpleUploadedFile("huge.png", content, content_type="image/png")
    response = admin_client.post(reverse("admin:catalog_member_add"), {
        "stage_name": "Jihyo",
        "native_name": "지효",
        "slug": "jihyo",
        "image": upload,
        **management_form("memberships"),
        **management_form("cameos"),
        **management_form(SOURCES),
    })
    assert response.status_code == 200
    assertContains(response, f"pictures must be {filesizeformat(10_000)} or smaller")
    assertContains(response, "“huge.png” is")
    assert not Member.objects.exists()
    assert uploaded_files(media_root) == []


def bomb_png(width, height):
    """A real decompression bomb: a black 1-bit PNG of width × height pixels, a few hundred kilobytes at most,
    whose pixel data unpacks to width × height / 8 bytes (and to far more once decoded for resizing)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row * 500) for _ in range(height // 500)) + packer.compress(row * (height % 500))
    pixels += packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "width, height, message",
    [
        # Past twice Pillow's own limit: Pillow refuses to open it at all.
        (30_000, 30_000, "“bomb.png” has far more pixels than the 50 megapixels a picture may have."),
        # Between Pillow's limit and twice it: Pillow only warns, and would decode all 100 million pixels.
        (10_000, 10_000, "“bomb.png” is 10,000 × 10,000 pixels; a picture may have 50 megapixels at most."),
    ],
    ids=["900-megapixels", "100-megapixels"],
)
def test_decompression_bomb_is_refused_before_it_is_decoded(admin_client, media_root, width, height, message):
    """A small file that unpacks into a huge picture is refused with a message saying why, and nothing is saved."""
    content = bomb_png(width, height)
    assert len(content) < 200_000  # it passes the size limit: only its pixel count gives it away
    upload = SimpleUploadedFile("bomb.png", content, content_type="image/png")
    response = admin_client.post(reverse("admin:catalog_group_add"), group_post_data(make_agency(), image=upload))
    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, "Please upload a smaller copy (we show pictures at 1200 × 1200 pixels at most).")
    assert not Group.objects.exists()
    assert uploaded_files(media_root) == []


def test_an_animation_with_too_many_pixels_in_all_is_refused(admin_client, media_root, settings):
    """Every frame of an animation is decoded when it is resized: the frames' pixels count together."""
    settings.IMAGE_MAX_PIXELS = 100_000
    frames = [Image.new("RGB", (100, 100), (n * 12, 0, 255 - n * 12)) for n in range(20)]  # 20 × 10,000 pixels
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=50)
    upload = SimpleUploadedFile("many.gif", buffer.getvalue(), content_type="image/gif")
    response = admin_client.post(reverse("admin:catalog_group_add"), group_post_data(make_agency(), image=upload))
    assertContains(response, "“many.gif” has 20 frames of 100 × 100 pixels; an animation may have 0.1 megapixels in all.")
    assert not Group.objects.exists()
    assert uploaded_files(media_root) == []


def test_fit_image_turns_photo_upright():
    """A JPEG whose EXIF says "rotate 90°" is stored upright, as a JPEG, without the EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; display rotated 90° clockwise.
    upload = SimpleUploadedFile("phone.jpg", png_bytes((400, 200), fmt="JPEG", exif=exif), content_type="image/jpeg")
    fitted = fit_image(upload, (1200, 1200))
    with Image.open(fitted) as image:
        assert image.format == "JPEG"
        assert image.size == (200, 400)
        assert 0x0112 not in image.getexif()


def test_fit_image_keeps_gif_animation():
    """An animated GIF is shrunk frame by frame and stays animated."""
    frames = [Image.new("RGB", (800, 400), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    fitted = fit_image(SimpleUploadedFile("dance.gif", buffer.getvalue()), (200, 200))
    with Image.open(fitted) as image:
        assert image.format == "GIF"
        assert image.size == (200, 100)
        assert image.n_frames == 3


def test_fit_image_names_file_after_real_format():
    """A JPEG uploaded as .png keeps its JPEG encoding and gets a .jpg name."""
    upload = SimpleUploadedFile("photo.png", png_bytes((2400, 100), fmt="JPEG"))
    fitted = fit_image(upload, (1200, 1200))
    assert fitted.name == "photo.jpg"
    with Image.open(fitted) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 50))


def test_ost_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    """The OST changelist joins show and artist and prefetches singers, so 30 rows cost what 1 row does."""
    url = reverse("admin:catalog_ost_changelist")
    korean = make_language(name="Korean", code="ko")
    make_ost(singers=[make_member()], languages=[korean])
    with CaptureQueriesContext(connection) as one_row:
        assert admin_client.get(url).status_code == 200
    for _ in range(29):
        make_ost(singers=[make_member(), make_member()], languages=[korean])
    with django_assert_max_num_queries(len(one_row)):
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 30


@pytest.mark.parametrize("model", [Group, Member, Show], ids=lambda model: model._meta.model_name)
def test_picture_changelists_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries, model):
    """Group, member and show changelists use joins, annotations and prefetches, not a query per row."""
    url = reverse(f"admin:catalog_{model._meta.model_name}_changelist")

    def add_row():
        group = make_group()
        make_member(group=group)
        make_ost(show=make_show(network=make_network()), artist=group)

    add_row()
    with CaptureQueriesContext(connection) as one_row:
        assert admin_client.get(url).status_code == 200
    for _ in range(20):
        add_row()
    with django_assert_max_num_queries(len(one_row)):
        assert admin_client.get(url).status_code == 200
