"""Attachments: type from content, size and count limits, random names, safe downloads, removal."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.actions import files as attachments
from maillage.actions.models import ActionFile, ActionState
from tests.factories import make_sheet

from .helpers import form_data, pdf

pytestmark = pytest.mark.django_db


def edit_url(action) -> str:
    return reverse("contribute:sheet-edit", kwargs={"pk": action.pk})


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml(main: str) -> bytes:
    manifest = f'<Types><Override PartName="/x.xml" ContentType="{main}"/></Types>'.encode()
    return zipped({"[Content_Types].xml": manifest})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7 rest", attachments.PDF),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 20, attachments.PNG),
        (b"\xff\xd8\xff\xe0" + b"0" * 20, attachments.JPEG),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", attachments.WEBP),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), attachments.ODT),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), attachments.ODS),
        (ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"), attachments.DOCX),
        (ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"), attachments.XLSX),
        (
            ooxml("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
            attachments.PPTX,
        ),  # fmt: skip
        (ooxml("application/vnd.ms-word.document.macroEnabled.main+xml"), None),  # .docm: macros
        (zipped({"evil.exe": b"MZ"}), None),  # a plain zip
        (b"MZ\x90\x00" + b"\x00" * 60, None),  # a Windows program
        (b"<html><script>alert(1)</script>", None),
        (b"PK\x03\x04 broken zip", None),
    ],
)
def test_type_comes_from_the_content(content, expected):
    assert attachments.detect_type(SimpleUploadedFile("whatever.pdf", content)) == expected


def test_display_names_are_safe_and_carry_the_real_extension():
    assert attachments.display_name("../../etc/Programme été.pdf", attachments.PDF) == "Programme été.pdf"
    assert attachments.display_name('a"b;c\r\n.html', attachments.PDF) == "a_b_c_.html.pdf"
    assert attachments.display_name("photo.JPEG", attachments.JPEG) == "photo.JPEG"
    assert len(attachments.display_name("x" * 400 + ".pdf", attachments.PDF)) == attachments.MAX_NAME_LENGTH


def test_a_pdf_is_stored_under_a_random_name(login, people, media_root):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    response = login("member").post(edit_url(sheet), {**form_data(sheet), "files": [pdf("Programme d'été.pdf")]})
    assert response.status_code == 302
    attached = ActionFile.objects.get(action=sheet)
    assert attached.name == "Programme d'été.pdf"
    stored = Path(attached.file.name)
    assert stored.parts[0] == "actions" and "Programme" not in stored.name and stored.suffix == ".pdf"
    assert (media_root / attached.file.name).read_bytes().startswith(b"%PDF")


def test_an_executable_named_pdf_is_refused(login, people, media_root):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    fake = pdf("facture.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100)
    response = login("member").post(edit_url(sheet), {**form_data(sheet), "files": [fake]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "« facture.pdf » n&#x27;est pas d&#x27;un type accepté" in html and 'id="files-error"' in html
    assert not ActionFile.objects.exists() and not media_root.exists()


def test_an_oversized_file_is_refused(login, people, settings):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    big = pdf("gros.pdf", b"%PDF-1.4\n" + b"0" * (attachments.MAX_FILE_SIZE + 1))
    response = login("member").post(edit_url(sheet), {**form_data(sheet), "files": [big]})
    assert response.status_code == 400
    assert "« gros.pdf » pèse 10,0 Mo : la limite est de 10 Mo par fichier." in response.content.decode()
    assert not ActionFile.objects.exists()


def test_a_sixth_file_is_refused(login, people):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    client = login("member")
    response = client.post(edit_url(sheet), {**form_data(sheet), "files": [pdf(f"f{i}.pdf") for i in range(5)]})
    assert response.status_code == 302 and ActionFile.objects.filter(action=sheet).count() == 5
    sheet.refresh_from_db()
    response = client.post(edit_url(sheet), {**form_data(sheet), "files": [pdf("sixieme.pdf")]})
    assert response.status_code == 400
    assert "au plus 5 fichiers" in response.content.decode()
    assert ActionFile.objects.filter(action=sheet).count() == 5


def test_imported_names_without_files_stay_as_names(login, people):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    ActionFile.objects.create(action=sheet, name="ancien.doc", position=0)
    client = login("member")
    html = client.get(edit_url(sheet)).content.decode()
    assert "ancien.doc" in html and "nom seul" in html
    sheet.refresh_from_db()
    assert client.post(edit_url(sheet), form_data(sheet, summary="x")).status_code == 302
    assert list(ActionFile.objects.filter(action=sheet).values_list("name", flat=True)) == ["ancien.doc"]


def test_removed_files_leave_the_storage(login, people, media_root, django_capture_on_commit_callbacks):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    client = login("member")
    client.post(edit_url(sheet), {**form_data(sheet), "files": [pdf()]})
    attached = ActionFile.objects.get(action=sheet)
    path = media_root / attached.file.name
    assert path.exists()
    sheet.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(sheet), form_data(sheet, remove_files=[str(attached.pk)]))
    assert response.status_code == 302
    assert not ActionFile.objects.filter(pk=attached.pk).exists()
    assert not path.exists()


@pytest.fixture
def attached_files(people):
    """A PDF on a draft of structure A, one on a published sheet of A, one on a draft of another structure."""

    def attach(sheet, name):
        attached = ActionFile(action=sheet, name=name)
        attached.file.save("x.pdf", io.BytesIO(b"%PDF-1.4 test"), save=True)
        return attached

    draft = make_sheet("Brouillon", people["structure"], state=ActionState.DRAFT)
    published = make_sheet("Publiée", people["structure"])
    elsewhere = make_sheet("Ailleurs", people["other_structure"], state=ActionState.DRAFT)
    return {
        "draft": attach(draft, "Budget prévisionnel 2025 « v2 ».pdf"),
        "published": attach(published, "affiche.pdf"),
        "elsewhere": attach(elsewhere, "secret.pdf"),
    }


def test_download_is_an_attachment_with_a_safe_name(login, attached_files):
    response = login("member").get(reverse("contribute:member-file", kwargs={"pk": attached_files["draft"].pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Budget previsionnel 2025  v2 .pdf"; '
        "filename*=UTF-8''Budget%20pr%C3%A9visionnel%202025%20%C2%AB%20v2%20%C2%BB.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"  # the test client closes it


DRAFT_FILE_ALLOWED = {"member", "structure_admin", "correspondent", "national_admin"}
ROLES = ("anonymous", "member", "structure_admin", "other_member", "correspondent", "far_correspondent",
         "national_admin")  # fmt: skip


class Fetched:
    def __init__(self, response):
        self.status_code = response.status_code
        # Reading a streamed answer to its end closes it (the test client wraps it).
        self.content = b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("role", ROLES)
def test_who_downloads_what(login, attached_files, role):
    logged = login(role)

    class client:  # noqa: N801 - reads every answer fully and closes it
        @staticmethod
        def get(url):
            return Fetched(logged.get(url))

    for url_name in ("contribute:member-file", "contribute:public-file"):
        draft = client.get(reverse(url_name, kwargs={"pk": attached_files["draft"].pk}))
        if role == "anonymous" and url_name == "contribute:member-file":
            assert draft.status_code == 302  # to the login page
        else:
            assert draft.status_code == (200 if role in DRAFT_FILE_ALLOWED else 404)
        published = client.get(reverse(url_name, kwargs={"pk": attached_files["published"].pk}))
        assert published.status_code == (302 if role == "anonymous" and "member" in url_name else 200)
    # Guessing another structure's attachment id: 404, never the content.
    elsewhere = client.get(reverse("contribute:public-file", kwargs={"pk": attached_files["elsewhere"].pk}))
    allowed = role in {"other_member", "correspondent", "national_admin"}
    assert elsewhere.status_code == (200 if allowed else 404)
    if not allowed:
        assert b"%PDF" not in elsewhere.content
    assert client.get(reverse("contribute:public-file", kwargs={"pk": 99999999})).status_code == 404


def full_disk_after_first_chunk(monkeypatch):
    """The disk fills up while an upload is written: the first bytes reach the file, then ENOSPC (the drill of
    docs/drills.md does it with a real full file system)."""
    import errno

    from django.core.files.uploadedfile import InMemoryUploadedFile

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        yield self.file.read(8)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(InMemoryUploadedFile, "chunks", chunks)


@pytest.mark.parametrize("state", [ActionState.DRAFT, ActionState.PUBLISHED])
def test_a_full_disk_refuses_the_save_in_french_and_leaves_no_partial_file(login, people, media_root, monkeypatch,
                                                                           state):  # fmt: skip
    sheet = make_sheet("Ateliers", people["structure"], state=state, summary="Avant")
    full_disk_after_first_chunk(monkeypatch)
    response = login("member").post(edit_url(sheet), {**form_data(sheet, summary="Après"), "files": [pdf("plan.pdf")]})
    assert response.status_code == 400  # as every refused save of the form
    html = response.content.decode()
    assert "« plan.pdf » n&#x27;a pas pu être enregistré : le serveur n&#x27;a plus de place" in html
    assert "Après" in html  # what the person typed is shown again
    sheet.refresh_from_db()
    assert sheet.summary == "Avant" and not ActionFile.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]
