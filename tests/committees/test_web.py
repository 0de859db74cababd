"""The committee page (/complaints/<number>/committee/): the furniture committee through its web
forms — convene, the evidence memo with a photo, the determination (70/30 of 1 000.00), each
member's answer — field errors on the forms with nothing saved, 403/404 as elsewhere."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.committees.models import Committee, CommitteeStatus
from kesu.complaints import services as complaint_services
from kesu.decisions.models import DecisionVersion, VersionStatus
from tests.committees.test_services import PNG, furniture, quality_complaint  # noqa: F401 (fixture)
from tests.conftest import make_staff
from tests.decisions.test_web import form_70_30

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def _as(staff):
        client.force_login(staff.user)
        client.cookies["django_language"] = "en"
        return client

    return _as


def url(complaint, act=""):
    if act:
        return reverse("complaint-committee-act", args=[complaint.number, act])
    return reverse("complaint-committee", args=[complaint.number])


def determination_form(**overrides):
    data = {k: v for k, v in form_70_30().items() if k != "note"}
    data["delivery_memo"] = "返修7天内交货"
    data.update(overrides)
    return data


def test_the_committee_through_its_page(furniture, as_user):  # noqa: F811
    org = furniture
    complaint = quality_complaint(org)
    # the complaint page offers the committee of its class
    detail = as_user(org.production_head).get(reverse("complaint-detail", args=[complaint.number]))
    assert url(complaint) in detail.content.decode()

    head = as_user(org.production_head)
    page = head.get(url(complaint)).content.decode()
    assert 'id="convene"' in page and "关联销售经理" in page
    wrong = head.post(url(complaint, "convene"), {"member_1": "prodhead", "member_2": ""})
    assert wrong.status_code == 400 and not Committee.objects.exists()
    assert (
        head.post(url(complaint, "convene"), {"member_1": "prodhead", "member_2": "outsider"}).status_code
        == 302
    )

    photo = complaint_services.add_attachment(
        complaint=complaint, by=org.clerk, upload=SimpleUploadedFile("扶手.png", PNG)
    )
    sales = as_user(org.outsider)
    page = sales.get(url(complaint)).content.decode()
    assert 'id="evidence"' in page and "扶手.png" in page
    empty = sales.post(url(complaint, "evidence"), {"facts": ""})
    assert empty.status_code == 400 and Committee.objects.get().evidence_at is None
    memo = {"facts": "接缝开裂", "customer_statement": "正常使用", "photos": [str(photo.pk)]}
    assert sales.post(url(complaint, "evidence"), memo).status_code == 302

    head = as_user(org.production_head)
    off = head.post(url(complaint, "determination"), determination_form(share_1="20"))
    assert off.status_code == 400 and "add up to exactly 100.00" in off.content.decode()
    assert not DecisionVersion.objects.exists()
    assert head.post(url(complaint, "determination"), determination_form()).status_code == 302
    assert head.post(url(complaint, "agreement"), {"agree": "yes"}).status_code == 302

    sales = as_user(org.outsider)
    why = sales.post(url(complaint, "agreement"), {"agree": "no", "comment": ""})
    assert why.status_code == 400 and "This field is required" in why.content.decode()
    response = sales.post(url(complaint, "agreement"), {"agree": "yes"}, follow=True)
    assert response.status_code == 200
    assert Committee.objects.get().status == CommitteeStatus.AGREED
    assert DecisionVersion.objects.get().status == VersionStatus.PROPOSED
    html = response.content.decode()
    assert "agrees" in html and "扶手.png" in html


def test_who_may_not_is_refused_and_strangers_get_404(furniture, as_user):  # noqa: F811
    org = furniture
    complaint = quality_complaint(org)
    clerk = as_user(org.clerk)
    assert 'id="convene"' not in clerk.get(url(complaint)).content.decode()
    assert (
        clerk.post(url(complaint, "convene"), {"member_1": "prodhead", "member_2": "outsider"}).status_code
        == 403
    )
    assert clerk.post(url(complaint, "bogus"), {}).status_code == 404
    assert clerk.post(url(complaint, "agreement"), {"agree": "yes"}).status_code == 409  # none convened
    stranger = make_staff("stranger", "外人", org.quality)
    assert as_user(stranger).get(url(complaint)).status_code == 404
    assert not Committee.objects.exists()


def test_the_committee_panel_costs_the_same_queries_with_three_times_the_photos(furniture, as_user):  # noqa: F811
    """The complaint page with a convened committee: members and photos read in two queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kesu.committees import services
    from kesu.committees.services import EvidenceIn

    org = furniture
    complaint = quality_complaint(org)
    committee = services.convene_committee(
        complaint=complaint, by=org.production_head, members={"1": "prodhead", "2": "outsider"}
    )
    client = as_user(org.director)
    path = reverse("complaint-detail", args=[complaint.number])

    def count(photos: int) -> int:
        ids = tuple(
            complaint_services.add_attachment(
                complaint=complaint, by=org.clerk, upload=SimpleUploadedFile(f"p{i}.png", PNG)
            ).pk
            for i in range(photos)
        )
        services.record_evidence(
            committee=committee, by=org.outsider, evidence=EvidenceIn(facts="x", photos=ids)
        )
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(path).content.decode()
        assert html.count('href="/complaints/') >= photos
        return len(captured.captured_queries)

    assert count(1) == count(3)
