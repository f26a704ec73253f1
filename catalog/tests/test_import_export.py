"""Bulk import and export in the admin (django-import-export): a dry run showing what would change, per-row
errors from the same validation as the forms, all or nothing, clear refusals of bad files, imports in the
history, and export of a filtered list."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pytest_django.asserts import assertContains, assertNotContains
from reversion.models import Version

from catalog.models import OST, Group, Member, Show

from .admin_forms import as_post, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("article_data")]

OST_COLUMNS = ["slug", "title", "show", "group", "sung_by_whole_group", "singers", "languages", "placement",
               "placement_number", "release_year", "released_on", "notes"]
NEW_SONG = ["night-drive", "Night Drive", "our-blues", "aespa", "0", "winter,karina", "ko", "ost-part", "12", "2022",
            "2022-06-05", "Karina and Winter."]
FORMAT = {"csv": "0", "xlsx": "1"}


def csv_file(rows, columns=OST_COLUMNS, name="osts.csv", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, columns=OST_COLUMNS, name="osts.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def dry_run(client, upload, model="ost", kind="csv"):
    """Step one of an import: the file is read and checked, and nothing is stored yet."""
    return client.post(
        reverse(f"admin:catalog_{model}_import"), {"import_file": upload, "format": FORMAT[kind], "resource": "0"}
    )


def confirm(client, preview, model="ost"):
    """Step two: "Confirm import" on the preview page."""
    data = form_data(preview, action=reverse(f"admin:catalog_{model}_process_import"))
    return client.post(reverse(f"admin:catalog_{model}_process_import"), as_post(data))


def row_errors(response):
    """{row number: {field: [messages]}} of the rows the dry run refused."""
    result = response.context["result"]
    return {row.number: row.error_dict for row in result.invalid_rows}


def test_the_dry_run_shows_what_would_change_and_changes_nothing(admin_client):
    """A new song and a changed note are previewed as New and Update; nothing is stored until confirmed."""
    once_again = ["once-again", "ONCE AGAIN", "our-blues", "aespa", "0", "winter,ningning", "", "ost-part", "10", "2022",
                  "2022-05-22", "Notes changed by the import."]
    preview = dry_run(admin_client, csv_file([NEW_SONG, once_again]))
    assertContains(preview, "Confirm import")
    rows = preview.context["result"].rows
    assert [row.import_type for row in rows] == ["new", "update"]
    assert not OST.objects.filter(slug="night-drive").exists()
    assert OST.objects.get(slug="once-again").notes.startswith("A duet by aespa's")

    response = confirm(admin_client, preview)
    assert response.status_code == 302
    night_drive = OST.objects.get(slug="night-drive")
    assert set(night_drive.singers.values_list("slug", flat=True)) == {"winter", "karina"}
    assert OST.objects.get(slug="once-again").notes == "Notes changed by the import."


def test_imports_appear_in_the_history(admin_client):
    """Each imported row is an entry in its history, naming the file and the editor, with its singers."""
    confirm(admin_client, dry_run(admin_client, csv_file([NEW_SONG], name="june.csv")))
    night_drive = OST.objects.get(slug="night-drive")
    version = Version.objects.get_for_object(night_drive).get()
    assert (version.revision.comment, version.revision.user.username) == ("Imported from june.csv.", "admin")
    assert sorted(version.field_dict["singers"]) == sorted(night_drive.singers.values_list("pk", flat=True))


def test_each_bad_row_says_what_is_wrong_and_nothing_is_imported(admin_client):
    """The rules of the OST form, row by row; with one bad row the good one is not imported either."""
    rows = [
        NEW_SONG,
        ["star-remix", "Star (Remix)", "our-blues", "stayc", "0", "karina", "ko", "ost-part", "10", "2022", "2022-06-01", ""],
        ["early-song", "Early Song", "our-blues", "aespa", "1", "", "", "ost-part", "", "2019", "", ""],
        ["lost-song", "Lost Song", "no-such-show", "aespa", "1", "", "", "special", "", "2022", "", ""],
        ["odd-dates", "Odd Dates", "our-blues", "aespa", "1", "", "", "special", "", "2019", "2022-03-01", ""],
        ["who-sang", "Who Sang", "our-blues", "aespa", "1", "winter", "", "special", "", "2022", "", ""],
        ["no-group", "No Group", "our-blues", "kiss-of-life", "1", "", "", "special", "", "2022", "", ""],
    ]
    preview = dry_run(admin_client, csv_file(rows))
    assertNotContains(preview, "Confirm import")
    assert row_errors(preview) == {
        2: {
            "singers": ["Karina is not a member of STAYC."],
            "placement_number": ["Our Blues already has OST Part 10: “ONCE AGAIN”. Choose another number."],
        },
        3: {"release_year": ["aespa debuted on 17 November 2020; this song cannot have come out before that."]},
        4: {"show": ["No show has the slug “no-such-show”. Add it first, or correct the slug."]},
        5: {"release_year": ["The release date is in 2022 but the release year says 2019. Correct one of them."]},
        6: {"singers": ["Leave the singers empty when the whole group sang it, or untick “Sung by the whole group”."]},
        7: {"artist": ["No group has the slug “kiss-of-life”. Add it first, or correct the slug."]},
    }
    assert not OST.objects.filter(slug="night-drive").exists()


def test_an_excel_workbook_imports_too(admin_client):
    preview = dry_run(admin_client, xlsx_file([NEW_SONG]), kind="xlsx")
    assert [row.import_type for row in preview.context["result"].rows] == ["new"]
    confirm(admin_client, preview)
    assert OST.objects.get(slug="night-drive").released_on.isoformat() == "2022-06-05"


def file_error(response):
    """The message on the file field, or the import's error about the file as a whole."""
    form_errors = response.context["form"].errors.get("import_file")
    if form_errors:
        return list(form_errors)
    return [str(error.error) for error in response.context["result"].base_errors]


def test_a_file_in_the_wrong_encoding_is_refused_in_words(admin_client):
    """A Latin-1 export from an old spreadsheet: the editor is told to save it as UTF-8, and nothing changes."""
    upload = csv_file([[*NEW_SONG[:1], "Café Night", *NEW_SONG[2:]]], encoding="latin-1")
    response = dry_run(admin_client, upload)
    assert file_error(response) == [
        "The file is not in UTF-8, so its letters would come out wrong. Save it again as “CSV UTF-8” "
        "(or as an Excel workbook) and import that."
    ]
    assert not OST.objects.filter(slug="night-drive").exists()


def test_missing_columns_are_named(admin_client):
    columns = [column for column in OST_COLUMNS if column != "group"]
    response = dry_run(admin_client, csv_file([NEW_SONG[:3] + NEW_SONG[4:]], columns=columns))
    assert file_error(response) == [
        "The file has no “group” column. Its first row names the columns; these are needed: slug, title, show, "
        "group, placement."
    ]
    assertNotContains(response, "Confirm import")


def test_a_slug_twice_in_one_file_is_refused(admin_client):
    """Two rows with one slug would silently merge into one song: the file is refused, naming the rows."""
    twin = [*NEW_SONG[:1], "Night Drive (Acoustic)", *NEW_SONG[2:8], "13", *NEW_SONG[9:]]
    response = dry_run(admin_client, csv_file([NEW_SONG, twin]))
    assert file_error(response) == ["The slug “night-drive” is on rows 2 and 3: each row needs a slug of its own."]
    assert not OST.objects.filter(slug="night-drive").exists()


def test_a_50_mb_sheet_is_refused_before_it_is_read(admin_client):
    upload = SimpleUploadedFile("everything.csv", b"slug,title\n" + b"x" * (50 * 1024 * 1024), content_type="text/csv")
    response = dry_run(admin_client, upload)
    assert [message.replace("\xa0", " ") for message in file_error(response)] == [
        "“everything.csv” is 50.0 MB; an import takes files up to 5.0 MB. Split it into smaller files."
    ]
    assert not OST.objects.filter(slug="x").exists()


def test_groups_members_and_shows_import_with_their_rules(admin_client):
    """The other importers check their own rules: a show that ends before it starts is refused."""
    groups = csv_file([["lumen", "Lumen", "girl", "sm-entertainment", "2024-01-02"]],
                      columns=["slug", "name", "kind", "agency", "debut_date"], name="groups.csv")
    confirm(admin_client, dry_run(admin_client, groups, model="group"), model="group")
    assert Group.objects.get(slug="lumen").agency.name == "SM Entertainment"

    members = csv_file([["ara", "Ara", "아라"]], columns=["slug", "stage_name", "native_name"], name="members.csv")
    confirm(admin_client, dry_run(admin_client, members, model="member"), model="member")
    assert Member.objects.get(slug="ara").native_name == "아라"

    shows = csv_file(
        [["night-signal", "Night Signal", "k-drama", "tvn", "2019", "2018", "2019-03-01", "2018-05-01", "0"]],
        columns=["slug", "title", "kind", "network", "first_year", "last_year", "premiered_on", "ended_on", "episodes"],
        name="shows.csv",
    )
    preview = dry_run(admin_client, shows, model="show")
    assert row_errors(preview) == {1: {
        "episodes": ["A show has at least one episode. Leave this empty if the count is not known."],
        "ended_on": ["The show cannot end before it premiered on 1 March 2019."],
        "last_year": ["The last year cannot come before the first year, 2019."],
    }}
    assert not Show.objects.filter(slug="night-signal").exists()


def test_export_of_a_filtered_list(admin_client):
    """Exporting the OST list filtered to Stray Kids gives their four songs, and nothing else."""
    stray_kids = Group.objects.get(slug="stray-kids")
    export_url = reverse("admin:catalog_ost_export") + f"?artist__id__exact={stray_kids.pk}"
    page = admin_client.get(export_url)
    data = form_data(page, action=reverse("admin:catalog_ost_export"))
    data["format"] = FORMAT["csv"]
    response = admin_client.post(export_url, as_post(data))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["slug"] for row in rows} == {"here-always", "close-to-you", "top", "slump"}
    assert {row["group"] for row in rows} == {"stray-kids"}


def test_the_list_offers_import_and_export(admin_client):
    page = admin_client.get(reverse("admin:catalog_ost_changelist") + "?release_year=2021")
    assertContains(page, f"""<a href="{reverse('admin:catalog_ost_import')}" class="import_link">Import</a>""", html=True)
    assertContains(page, f'href="{reverse("admin:catalog_ost_export")}?release_year=2021"')


def test_a_row_gone_bad_after_the_dry_run_imports_nothing(admin_client):
    """If, between the preview and "Confirm import", a row stops passing the rules, no row is imported."""
    clash = ["star-part-13", "Star Part 13", "our-blues", "stayc", "1", "", "", "ost-part", "13", "2022", "", ""]
    preview = dry_run(admin_client, csv_file([NEW_SONG, clash]))
    assertContains(preview, "Confirm import")
    # Meanwhile another editor makes STAYC's "Star" Part 13 of Our Blues.
    OST.objects.filter(slug="star").update(placement_number=13)
    confirm(admin_client, preview)
    assert not OST.objects.filter(slug__in=["night-drive", "star-part-13"]).exists()
