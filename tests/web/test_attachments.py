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
