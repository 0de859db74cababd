"""Ownership, hand-over and destruction pages (issue 11 §3, §5) through the web UI: each step by
its form; a refused step shows why (400/403/409), never a 500; the personal data of a destroyed
archive is gone from the customer page, the type-ahead and the complaint list."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from kesu.archive import ownership, retention
from kesu.archive.models_ownership import ArchiveOwnership, HandoverItem
from kesu.archive.models_retention import DestructionList
from tests.conftest import local


def test_register_then_a_second_registration_is_refused_with_the_reason(as_user, org, sales, dealer):
    url = reverse("archive-ownership", args=[dealer.number])
    assert as_user(sales.a).post(url, {"step": "register", "salesperson": sales.a.pk}).status_code == 302
    page = as_user(sales.a).get(url).content.decode()
    assert 'id="owner-name">销售A' in page
    refused = as_user(sales.b).post(url, {"step": "register", "salesperson": sales.b.pk})
    assert refused.status_code == 409 and "销售A" in refused.content.decode()
    bad = as_user(sales.b).post(url, {"step": "register", "salesperson": "x"})
    assert bad.status_code == 400
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.a


def test_split_dispute_and_decision_by_form(as_user, org, sales, dealer):
    ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    url = reverse("archive-ownership", args=[dealer.number])
    split = as_user(sales.manager).post(
        url, {"step": "split", "case": "forgotten_found", "other": sales.b.pk}, follow=True
    )
    assert "销售A 50%" in split.content.decode()
    assert as_user(sales.b).post(url, {"step": "dispute", "reason": ""}).status_code == 400
    assert as_user(sales.b).post(url, {"step": "dispute", "reason": "我先接待"}).status_code == 302
    refused = as_user(sales.c).post(url, {"step": "decide", "winner": sales.b.pk, "reason": "x"})
    assert refused.status_code == 403
    assert (
        as_user(sales.manager)
        .post(url, {"step": "decide", "winner": sales.b.pk, "reason": "B在先"})
        .status_code
        == 302
    )
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.b


def test_a_leavers_customers_are_listed_handed_over_and_acknowledged(as_user, org, sales, dealer, buyer):
    for archive in (dealer, buyer):
        ownership.register(archive=archive, salesperson=sales.a, by=sales.a)
    url = reverse("archive-handover-new")
    page = as_user(sales.manager).get(url, {"leaver": sales.a.pk}).content.decode()
    assert dealer.number in page and buyer.number in page
    assert as_user(sales.b).get(url, {"leaver": sales.a.pk}).status_code == 403
    missing = as_user(sales.manager).post(
        url, {"leaver": sales.a.pk, f"successor-{dealer.number}": sales.b.pk, "reason": "离职"}
    )
    assert missing.status_code == 400 and buyer.number in missing.content.decode()
    done = as_user(sales.manager).post(
        url,
        {
            "leaver": sales.a.pk,
            f"successor-{dealer.number}": sales.b.pk,
            "draw_from": [sales.c.pk],
            "reason": "离职",
        },
    )
    assert done.status_code == 302
    detail = as_user(sales.b).get(done["Location"]).content.decode()
    assert 'id="acknowledge"' in detail and dealer.number in detail
    as_user(sales.b).post(done["Location"] + "acknowledge/")
    assert HandoverItem.objects.get(archive=dealer).acknowledged_at is not None
    assert as_user(org.outsider).get(done["Location"]).status_code == 404


def test_destruction_by_form_and_the_personal_data_is_gone_from_the_pages(as_user, org, old_customer):
    before = as_user(org.clerk).get(reverse("complaint-list"), {"q": "13812345678"}).content.decode()
    assert old_customer.complaint.number in before
    with time_machine.travel(local(2026, 1, 5), tick=False):
        overview = as_user(org.clerk).get(reverse("archive-retention"))
        assert old_customer.number in overview.content.decode()
        assert as_user(org.outsider).get(reverse("archive-retention")).status_code == 403
        proposed = as_user(org.clerk).post(reverse("archive-retention"))
    url = proposed["Location"]
    # refused without approval
    assert as_user(org.clerk).post(url, {"step": "destroy"}).status_code == 403
    assert as_user(org.director).post(url, {"step": "review", "reject": "0"}).status_code == 302
    assert as_user(org.vp).post(url, {"step": "approve", "reject": "0"}).status_code == 403
    assert as_user(org.gm).post(url, {"step": "approve", "reject": "0"}).status_code == 302
    assert as_user(org.clerk).post(url, {"step": "destroy", "witness": org.director.pk}).status_code == 302
    record = as_user(org.director).get(url).content.decode()
    assert 'id="approved-by">赵总' in record and 'id="destroyed-by">王专员' in record
    assert DestructionList.objects.get().status == "destroyed"
    page = as_user(org.clerk).get(reverse("customer-page", args=[old_customer.number])).content.decode()
    assert "刘建华" not in page and "5679" not in page and "长宁路" not in page
    assert old_customer.complaint.number in page  # the numbers and timeline stay
    assert 'id="destroyed-banner"' in page
    lookup = as_user(org.clerk).get(reverse("archive-lookup"), {"customer_q": "1234 5679"}).content.decode()
    assert old_customer.number not in lookup
    complaints = as_user(org.clerk).get(reverse("complaint-list"), {"q": "13812345678"}).content.decode()
    assert old_customer.complaint.number not in complaints
    assert retention.is_destroyed(old_customer)
