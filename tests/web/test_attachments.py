"""Adding an attachment to a complaint and downloading it, only for those who may see it."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.complaints import services
from kesu.complaints.models import Attachment, ComplaintEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


def _upload(client, complaint, name="照片.png", content=PNG, version=None):
    return client.post(
        reverse("complaint-attach", args=[complaint.number]),
        {
            "version": complaint.version if version is None else version,
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_upload_then_download_with_the_stored_type(as_user, org, register):
    complaint = register()
    client = as_user(org.clerk)

    response = _upload(client, complaint)

    assert response.status_code == 302
    attachment = Attachment.objects.get(complaint=complaint)
    assert ComplaintEvent.objects.filter(complaint=complaint, action="attach").exists()
    page = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    url = reverse("complaint-attachment", args=[complaint.number, attachment.pk])
    assert url in page and "照片.png" in page
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PNG


def test_a_bad_file_is_400_and_not_stored(as_user, org, register):
    complaint = register()

    response = _upload(as_user(org.clerk), complaint, name="run.exe", content=b"MZ\x90")

    assert response.status_code == 400
    assert "file" in response.context["attach_form"].errors
    assert not Attachment.objects.exists()


def test_a_missing_file_is_400(as_user, org, register):
    complaint = register()

    response = as_user(org.clerk).post(reverse("complaint-attach", args=[complaint.number]), {"version": 1})

    assert response.status_code == 400


def test_stale_upload_is_409(as_user, org, register):
    complaint = register()
    services.add_comment(complaint=complaint, by=org.director, comment="先看一下")

    assert _upload(as_user(org.clerk), complaint, version=1).status_code == 409
    assert not Attachment.objects.exists()


def test_outsider_can_neither_upload_nor_download(as_user, org, register):
    complaint = register()
    attachment = services.add_attachment(
        complaint=complaint, by=org.clerk, upload=SimpleUploadedFile("a.png", PNG)
    )
    client = as_user(org.outsider)

    assert _upload(client, complaint).status_code == 404
    assert (
        client.get(reverse("complaint-attachment", args=[complaint.number, attachment.pk])).status_code == 404
    )


def test_an_attachment_is_only_served_under_its_own_complaint(as_user, org, register):
    first, second = register(), register()
    attachment = services.add_attachment(
        complaint=first, by=org.clerk, upload=SimpleUploadedFile("a.png", PNG)
    )

    response = as_user(org.clerk).get(reverse("complaint-attachment", args=[second.number, attachment.pk]))

    assert response.status_code == 404


def test_download_refuses_post(as_user, org, register):
    complaint = register()
    attachment = services.add_attachment(
        complaint=complaint, by=org.clerk, upload=SimpleUploadedFile("a.png", PNG)
    )

    url = reverse("complaint-attachment", args=[complaint.number, attachment.pk])
    assert as_user(org.clerk).post(url).status_code == 405


def _photo(width: int, height: int, fmt: str = "JPEG") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def test_a_photo_is_previewed_as_a_small_thumbnail(as_user, org, register):
    import io

    from PIL import Image

    complaint = register()
    client = as_user(org.clerk)
    assert _upload(client, complaint, name="破损.jpg", content=_photo(1600, 1200)).status_code == 302
    attachment = Attachment.objects.get(complaint=complaint)
    url = reverse("complaint-attachment-thumbnail", args=[complaint.number, attachment.pk])
    page = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    assert f'<img src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    preview = Image.open(io.BytesIO(response.content))
    assert max(preview.size) == 240 and preview.size == (240, 180)
    assert len(response.content) < 20_000


def test_no_thumbnail_for_documents_broken_photos_or_outsiders(as_user, org, register):
    complaint = register()
    client = as_user(org.clerk)
    _upload(client, complaint, name="说明.txt", content="文字".encode())
    _upload(client, complaint.__class__.objects.get(pk=complaint.pk), name="坏.png", content=PNG)
    text, broken = Attachment.objects.filter(complaint=complaint).order_by("pk")
    for attachment in (text, broken):  # a text file has none; a PNG that is not one cannot be read
        url = reverse("complaint-attachment-thumbnail", args=[complaint.number, attachment.pk])
        assert client.get(url).status_code == 404
    page = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    assert reverse("complaint-attachment-thumbnail", args=[complaint.number, text.pk]) not in page
    _upload(
        client, complaint.__class__.objects.get(pk=complaint.pk), name="好.png", content=_photo(50, 50, "PNG")
    )
    good = Attachment.objects.filter(complaint=complaint).order_by("pk").last()
    url = reverse("complaint-attachment-thumbnail", args=[complaint.number, good.pk])
    assert client.get(url).status_code == 200
    assert as_user(org.outsider).get(url).status_code == 404
