"""GET /api/v1/complaints (filters, search, pages, capped count, no N+1) and GET …/{number}."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kesu.complaints import api as complaints_api
from kesu.complaints import services
from kesu.complaints.models import Category, Severity
from kesu.customers.models import Customer
from tests.conftest import advance

URL = "/api/v1/complaints"


def _at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day + "T10:00"))


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_the_list_is_newest_first_and_pages_with_next_offset(org, register, clerk_api):
    numbers = [register().number for _ in range(5)]

    first = clerk_api.get(URL, {"limit": 2})
    last = clerk_api.get(URL, {"limit": 2, "offset": 4})

    assert _numbers(first) == numbers[::-1][:2]
    assert first.json()["count"] == 5 and first.json()["count_capped"] is False
    assert first.json()["next_offset"] == 2
    assert _numbers(last) == [numbers[0]]
    assert last.json()["next_offset"] is None


def test_filters_and_search(org, register, clerk_api):
    # given
    acme = Customer.objects.create(code="C9", name="顺达物流")
    grievance = Category.objects.get(code="grievance")
    urgent = Severity.objects.get(code="urgent")
    old = register(received_at=_at("2024-03-01"), description="门把手松动")
    transferred = advance(register(customer=acme, received_at=_at("2024-04-10")), org, "transfer_proposed")
    moaning = register(category=grievance, severity=urgent, received_at=_at("2024-04-20"))
    closed = services.answer_on_spot(complaint=register(category=grievance), by=org.clerk, reply="已解释")

    # then
    assert _numbers(clerk_api.get(URL, {"status": "transfer_proposed"})) == [transferred.number]
    assert set(_numbers(clerk_api.get(URL, {"category": "grievance"}))) == {moaning.number, closed.number}
    assert _numbers(clerk_api.get(URL, {"category": "grievance", "open_only": "true"})) == [moaning.number]
    assert _numbers(clerk_api.get(URL, {"severity": "urgent"})) == [moaning.number]
    assert _numbers(clerk_api.get(URL, {"department": "production"})) == [transferred.number]
    assert _numbers(clerk_api.get(URL, {"department": str(org.production.pk)})) == [transferred.number]
    assert _numbers(clerk_api.get(URL, {"department": "no-such-department"})) == []
    assert _numbers(clerk_api.get(URL, {"received_from": "2024-04-01", "received_to": "2024-04-10"})) == [
        transferred.number
    ]
    assert _numbers(clerk_api.get(URL, {"q": "把手"})) == [old.number]
    assert _numbers(clerk_api.get(URL, {"q": "顺达"})) == [transferred.number]
    assert _numbers(clerk_api.get(URL, {"q": moaning.number})) == [moaning.number]


def test_the_count_is_capped(org, register, clerk_api, monkeypatch):
    for _ in range(4):
        register()
    monkeypatch.setattr(complaints_api, "LIST_COUNT_CAP", 3)

    page = clerk_api.get(URL, {"limit": 2}).json()

    assert page["count"] == 3 and page["count_capped"] is True
    assert page["next_offset"] == 2


def test_a_department_sees_only_its_complaints_and_an_outsider_none(org, register, client_for):
    ours = advance(register(), org, "transfer_approved")
    register()

    assert _numbers(client_for(org.production_head).get(URL)) == [ours.number]
    assert _numbers(client_for(org.quality_head).get(URL)) == []
    outsider = client_for(org.outsider).get(URL).json()
    assert outsider["items"] == [] and outsider["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"offset": -1}, "offset"),
        ({"status": "lost"}, "status"),
        ({"received_from": "01/05/2024"}, "received_from"),
        ({"open_only": "perhaps"}, "open_only"),
    ],
)
def test_bad_list_parameters_are_422_naming_them(org, clerk_api, params, field):
    response = clerk_api.get(URL, params)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_the_list_does_not_query_per_row(org, register, clerk_api):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clerk_api.get(URL).status_code == 200
        return len(captured)

    Customer.objects.create(code="C1", name="甲")
    register(customer=Customer.objects.get(code="C1"))
    queries_for_list()  # the token's first use records last_used_at (once a minute)
    few = queries_for_list()
    for _ in range(6):
        advance(register(customer=Customer.objects.get(code="C1")), org, "accepted")

    assert queries_for_list() == few


def test_list_wrong_method_is_405(org, clerk_api):
    assert clerk_api.delete(URL).status_code == 405


# ---------------------------------------------------------------------------------------------
# Detail


def test_the_detail_has_timeline_slips_and_the_callers_actions(org, register, clerk_api, client_for):
    complaint = advance(register(), org, "replied")
    secondary = services.file_secondary_complaint(
        complaint=complaint, by=org.clerk, description="又坏了", received_at=timezone.now(), channel="phone"
    )

    data = clerk_api.get(f"{URL}/{complaint.number}").json()
    as_head = client_for(org.production_head).get(f"{URL}/{complaint.number}").json()

    assert data["number"] == complaint.number and data["status"] == "replied"
    assert [e["action"] for e in data["timeline"]] == [
        "registered",
        "propose_transfer",
        "approve_transfer",
        "accept_transfer",
        "start_investigation",
        "propose_resolution",
        "reply_to_customer",
        "file_secondary",
    ]
    assert data["timeline"][2]["actor"] == {"username": "gm", "name": "赵总"}
    assert data["timeline"][0]["at"].endswith("+08:00")
    [slip] = data["transfer_slips"]
    assert slip["state"] == "accepted" and slip["to_department"]["code"] == "production"
    assert slip["proposed_by"]["username"] == "clerk" and slip["received_by"]["username"] == "prodhead"
    assert data["handler"]["username"] == "prodhandler"
    assert data["secondary_complaints"] == [secondary.number]
    assert data["attachments"] == []
    assert data["reply"] == "已安排维修" and data["satisfaction"] == "satisfied"
    assert "record_follow_up" in data["allowed_actions"]
    assert "record_follow_up" not in as_head["allowed_actions"]
    assert clerk_api.get(f"{URL}/{secondary.number}").json()["parent"] == complaint.number


def test_the_detail_lists_attachment_metadata(org, register, clerk_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = register()
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    services.add_attachment(
        complaint=complaint,
        by=org.clerk,
        upload=SimpleUploadedFile("裂缝.png", png, content_type="image/png"),
    )

    [attachment] = clerk_api.get(f"{URL}/{complaint.number}").json()["attachments"]

    assert attachment["original_name"] == "裂缝.png"
    assert attachment["size"] == len(png) and attachment["uploaded_by"]["username"] == "clerk"


def test_an_invisible_or_unknown_complaint_is_404(org, register, client_for, clerk_api):
    complaint = register()

    assert client_for(org.outsider).get(f"{URL}/{complaint.number}").status_code == 404
    assert client_for(org.quality_head).get(f"{URL}/{complaint.number}").status_code == 404
    assert clerk_api.get(f"{URL}/999999999").status_code == 404


def test_detail_wrong_method_is_405(org, register, clerk_api):
    assert clerk_api.delete(f"{URL}/{register().number}").status_code == 405
