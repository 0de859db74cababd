"""The ownership, hand-over and destruction endpoints (issue 11 §3, §5): every answer as the OpenAPI
document says; bad input 422 by field, someone without authority 403, never a 500."""

from __future__ import annotations

import time_machine

from kesu.archive import ownership
from kesu.archive.models import CustomerArchive
from kesu.archive.models_ownership import ArchiveOwnership
from tests.conftest import local

BASE = "/api/v1"


def test_register_read_and_the_first_registration_wins(org, api, sales, dealer):
    first = api(sales.a).post(
        f"{BASE}/customers/{dealer.number}/ownership/registrations", {"salesperson": "sales_a"}
    )
    assert first.status_code == 201 and first.json()["owner"]["username"] == "sales_a"
    assert first.json()["valid"] is True and first.json()["history"][0]["kind"] == "registered"
    second = api(sales.b).post(
        f"{BASE}/customers/{dealer.number}/ownership/registrations", {"salesperson": "sales_b"}
    )
    assert second.status_code == 409 and "销售A" in second.json()["detail"]
    unknown = api(sales.manager).post(
        f"{BASE}/customers/{dealer.number}/ownership/registrations", {"salesperson": "nobody"}
    )
    assert unknown.status_code == 422 and "salesperson" in unknown.json()["errors"]
    assert api(sales.b).get(f"{BASE}/customers/KH-NOPE/ownership").status_code == 404


def test_credit_split_dispute_and_decision(org, api, sales, dealer):
    ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    split = api(sales.manager).post(
        f"{BASE}/customers/{dealer.number}/ownership/credit-splits",
        {"case": "customer_insists", "other": "sales_b"},
    )
    assert split.status_code == 201
    assert {s["username"]: s["percent"] for s in split.json()["shares"]} == {"sales_a": 20, "sales_b": 80}
    bad = api(sales.manager).post(
        f"{BASE}/customers/{dealer.number}/ownership/credit-splits", {"case": "90-10", "other": "sales_b"}
    )
    assert bad.status_code == 422 and "case" in bad.json()["errors"]
    dispute = api(sales.b).post(
        f"{BASE}/customers/{dealer.number}/ownership/disputes", {"reason": "我先登记的"}
    )
    assert dispute.status_code == 201
    url = f"{BASE}/ownership-disputes/{dispute.json()['id']}/decision"
    assert api(sales.c).post(url, {"winner": "sales_b", "reason": "x"}).status_code == 403
    decided = api(sales.manager).post(url, {"winner": "sales_b", "reason": "登记表B在先"})
    assert decided.status_code == 200 and decided.json()["winner"]["username"] == "sales_b"
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.b


def test_a_leavers_list_and_hand_over(org, api, sales, dealer, buyer):
    for archive in (dealer, buyer):
        ownership.register(archive=archive, salesperson=sales.a, by=sales.a)
    pending = api(sales.manager).get(f"{BASE}/archive-handovers/pending/sales_a")
    assert pending.status_code == 200
    assert sorted(i["number"] for i in pending.json()["items"]) == sorted([dealer.number, buyer.number])
    assert api(sales.b).get(f"{BASE}/archive-handovers/pending/sales_a").status_code == 403
    # a successor nobody knows, and a customer left out: field errors, nothing handed over
    bad = api(sales.manager).post(
        f"{BASE}/archive-handovers",
        {"leaver": "sales_a", "successors": {dealer.number: "ghost"}, "reason": "离职"},
    )
    assert bad.status_code == 422 and f"successors.{dealer.number}" in bad.json()["errors"]
    missing = api(sales.manager).post(
        f"{BASE}/archive-handovers",
        {"leaver": "sales_a", "successors": {dealer.number: "sales_b"}, "reason": "离职"},
    )
    assert missing.status_code == 422 and "successors" in missing.json()["errors"]
    assert (
        api(sales.b)
        .post(
            f"{BASE}/archive-handovers",
            {
                "leaver": "sales_a",
                "successors": {dealer.number: "sales_b", buyer.number: "sales_b"},
                "reason": "x",
            },
        )
        .status_code
        == 403
    )
    done = api(sales.manager).post(
        f"{BASE}/archive-handovers",
        {
            "leaver": "sales_a",
            "successors": {dealer.number: "sales_b"},
            "draw_from": ["sales_c"],
            "reason": "离职",
        },
    )
    assert done.status_code == 201
    items = {i["number"]: i for i in done.json()["items"]}
    assert items[dealer.number]["successor"]["username"] == "sales_b"
    assert items[buyer.number]["successor"]["username"] == "sales_c"
    assert all(i["customer_notified_at"] for i in items.values())
    ack = api(sales.b).post(f"{BASE}/archive-handovers/{done.json()['id']}/acknowledgement")
    assert ack.status_code == 200
    assert {i["number"]: bool(i["acknowledged_at"]) for i in ack.json()["items"]} == {
        dealer.number: True,
        buyer.number: False,
    }
    assert api(org.outsider).get(f"{BASE}/archive-handovers/{done.json()['id']}").status_code == 403


def test_destruction_through_the_api(org, api, old_customer):
    with time_machine.travel(local(2026, 1, 5), tick=False):
        assert api(org.outsider).get(f"{BASE}/archive-retention/due").status_code == 403
        due = api(org.clerk).get(f"{BASE}/archive-retention/due")
        assert [i["number"] for i in due.json()["items"]] == [old_customer.number]
        proposed = api(org.clerk).post(f"{BASE}/archive-destructions")
        assert proposed.status_code == 201
        again = api(org.clerk).post(f"{BASE}/archive-destructions")
        assert again.status_code == 200 and again.json()["destruction"] is None
    pk = proposed.json()["destruction"]["id"]
    # refused without the approval; approval by someone without authority refused
    refused = api(org.clerk).post(f"{BASE}/archive-destructions/{pk}/execution", {})
    assert refused.status_code == 403
    assert (
        api(org.gm).post(f"{BASE}/archive-destructions/{pk}/approval", {}).status_code == 409
    )  # not reviewed
    assert api(org.clerk).post(f"{BASE}/archive-destructions/{pk}/review", {}).status_code == 403
    assert api(org.director).post(f"{BASE}/archive-destructions/{pk}/review", {}).status_code == 200
    assert api(org.vp).post(f"{BASE}/archive-destructions/{pk}/approval", {}).status_code == 403
    assert api(org.gm).post(f"{BASE}/archive-destructions/{pk}/approval", {}).status_code == 200
    bad_witness = api(org.clerk).post(f"{BASE}/archive-destructions/{pk}/execution", {"witness": "ghost"})
    assert bad_witness.status_code == 422 and "witness" in bad_witness.json()["errors"]
    done = api(org.clerk).post(f"{BASE}/archive-destructions/{pk}/execution", {"witness": "director"})
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "destroyed" and body["approved_by"]["username"] == "gm"
    assert (
        body["witness"]["username"] == "director"
        and body["items"][0]["kept"]["number"] == old_customer.number
    )
    # the personal data is gone from the API, its numbers remain
    detail = api(org.clerk).get(f"{BASE}/customers/{old_customer.number}").json()
    assert "刘建华" not in str(detail) and "1234" not in detail["phone"]
    assert detail["number"] == old_customer.number
    assert [c["number"] for c in detail["past_complaints"]] == [old_customer.complaint.number]
    assert api(org.clerk).get(f"{BASE}/customers", {"q": "刘建华"}).json()["items"] == []
    assert api(org.clerk).get(f"{BASE}/customers", {"q": "1234 5679"}).json()["items"] == []
    assert CustomerArchive.objects.filter(pk=old_customer.pk).exists()
    assert (
        api(org.director).get(f"{BASE}/archive-destructions/{pk}").json()["destroyed_by"]["username"]
        == "clerk"
    )
    assert api(org.director).get(f"{BASE}/archive-destructions/99999").status_code == 404


def test_the_periods_are_listed_with_their_sources(org, api):
    body = api(org.clerk).get(f"{BASE}/archive-retention/periods").json()
    periods = {p["record"]: p for p in body["items"]}
    assert periods["archive"]["years"] == 10 and "10年" in periods["archive"]["source"]
    assert periods["complaint_important"]["years"] is None
