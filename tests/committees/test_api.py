"""/api/v1/complaints/{number}/committee: the furniture committee through the API (answers checked
against the OpenAPI document by ApiClient), field errors for bad input and the limits of its texts,
403/404/409 as documented, nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesu.committees.models import Committee
from kesu.complaints import services as complaint_services
from kesu.decisions.models import DecisionVersion
from tests.committees.test_services import PNG, furniture, quality_complaint  # noqa: F401 (fixture)
from tests.decisions.test_api import body as decision_body

pytestmark = pytest.mark.django_db


def url(complaint, tail=""):
    return f"/api/v1/complaints/{complaint.number}/committee{tail}"


def determination(**overrides):
    data = {k: v for k, v in decision_body().items() if k != "note"}
    data["delivery_memo"] = "返修7天内交货"
    data.update(overrides)
    return data


def test_the_committee_through_the_api(furniture, client_for):  # noqa: F811
    org = furniture
    complaint = quality_complaint(org)
    head, sales = client_for(org.production_head), client_for(org.outsider)
    assert head.get(url(complaint)).status_code == 409  # not convened yet

    response = head.post(url(complaint), {"members": {"1": "prodhead", "2": "outsider"}})
    assert response.status_code == 201, response.json()
    assert [m["member"]["username"] for m in response.json()["members"]] == ["prodhead", "outsider"]
    assert head.post(url(complaint), {"members": {"1": "prodhead", "2": "outsider"}}).status_code == 409

    photo = complaint_services.add_attachment(
        complaint=complaint, by=org.clerk, upload=SimpleUploadedFile("a.png", PNG)
    )
    assert head.post(url(complaint, "/evidence"), {"facts": "x"}).status_code == 403
    memo = sales.post(url(complaint, "/evidence"), {"facts": "开裂", "photos": [photo.pk]})
    assert memo.status_code == 200 and memo.json()["photos"] == [photo.pk]

    bad = head.post(url(complaint, "/determination"), determination(shares=[decision_body()["shares"][0]]))
    assert bad.status_code == 422 and "shares" in bad.json()["errors"]
    assert not DecisionVersion.objects.exists()
    done = head.post(url(complaint, "/determination"), determination())
    assert done.status_code == 200 and done.json()["decision_version"] == 1

    assert sales.post(url(complaint, "/agreement"), {"agree": False}).status_code == 422  # why not?
    assert head.post(url(complaint, "/agreement"), {"agree": True}).status_code == 200
    last = sales.post(url(complaint, "/agreement"), {"agree": True, "comment": "同意"})
    assert last.status_code == 200 and last.json()["status"] == "agreed"
    assert DecisionVersion.objects.get().status == "proposed"


def test_bad_members_and_strangers(furniture, client_for):  # noqa: F811
    org = furniture
    complaint = quality_complaint(org)
    head = client_for(org.production_head)
    wrong = head.post(url(complaint), {"members": {"1": "prodhead", "2": "clerk"}})
    assert wrong.status_code == 422 and "members.2" in wrong.json()["errors"]
    assert head.post(url(complaint), {"members": {"x": "prodhead"}}).status_code == 422
    assert client_for(org.clerk).post(url(complaint), {"members": {"1": "prodhead"}}).status_code == 403
    assert not Committee.objects.exists()
    assert head.get("/api/v1/complaints/999999999/committee").status_code == 404


@pytest.mark.parametrize(
    ("path", "field", "limit"),
    [
        ("/evidence", "facts", 4000),
        ("/evidence", "customer_statement", 4000),
        ("/determination", "delivery_memo", 4000),
        ("/agreement", "comment", 4000),
    ],
)
def test_the_limits_of_the_committee_texts(furniture, client_for, path, field, limit):  # noqa: F811
    """evidence facts, customer statement, delivery memo, agreement comment: one more is refused."""
    org = furniture
    complaint = quality_complaint(org)
    head, sales = client_for(org.production_head), client_for(org.outsider)
    head.post(url(complaint), {"members": {"1": "prodhead", "2": "outsider"}})
    bodies = {
        "/evidence": (sales, {"facts": "开裂"}),
        "/determination": (head, determination()),
        "/agreement": (sales, {"agree": False, "comment": "x"}),
    }
    if path != "/evidence":
        sales.post(url(complaint, "/evidence"), {"facts": "开裂"})
    if path == "/agreement":
        head.post(url(complaint, "/determination"), determination())
    client, data = bodies[path]
    too_long = client.post(url(complaint, path), {**data, field: "x" * (limit + 1)})
    assert too_long.status_code == 422 and field in too_long.json()["errors"]
    assert client.post(url(complaint, path), {**data, field: "x" * limit}).status_code == 200
