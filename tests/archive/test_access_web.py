"""The access, lending and correction pages (issue 11 §4, seed 001 #4) as the seeds' people use them."""

from __future__ import annotations

from django.urls import reverse

from kesu.archive import access, secrecy
from kesu.archive.access_models import AccessRequest, CorrectionRequest


def test_ask_decide_lend_and_return_on_the_page(org, dealer, as_user):
    secrecy.set_level(archive=dealer, by=org.gm, level="secret", reason="合同")
    page = reverse("archive-access")
    # a production handler asks to borrow the archive
    client = as_user(org.production_handler)
    assert client.get(page).status_code == 200
    bad = client.post(
        reverse("archive-access-request"), {"archive": dealer.number, "kind": "lend", "reason": ""}
    )
    assert bad.status_code == 400 and "reason" in bad.content.decode()
    response = client.post(
        reverse("archive-access-request"),
        {"archive": dealer.number, "kind": "lend", "reason": "上门核对资质"},
    )
    assert response.status_code == 302
    loan = AccessRequest.objects.get()
    # their department head reviews, the GM approves: each sees it waiting
    head = as_user(org.production_head)
    assert f'id="request-{loan.pk}"' in head.get(page).content.decode()
    assert (
        head.post(reverse("archive-access-step", args=[loan.pk, "decision"]), {"approve": "yes"}).status_code
        == 302
    )
    refused = head.post(reverse("archive-access-step", args=[loan.pk, "decision"]), {"approve": "yes"})
    assert refused.status_code == 403
    gm = as_user(org.gm)
    assert (
        gm.post(reverse("archive-access-step", args=[loan.pk, "decision"]), {"approve": "yes"}).status_code
        == 302
    )
    # the desk hands it out and takes it back, in the register
    desk = as_user(org.clerk)
    assert 'id="lending-register"' in desk.get(page).content.decode()
    assert (
        desk.post(reverse("archive-access-step", args=[loan.pk, "lent"]), {"due_back": ""}).status_code == 302
    )
    assert access.active_filter(org.production_handler).exists()
    assert desk.post(reverse("archive-access-step", args=[loan.pk, "returned"])).status_code == 302
    loan.refresh_from_db()
    assert loan.status == "returned" and loan.returned_to == org.clerk
    assert (
        as_user(org.outsider).post(reverse("archive-access-step", args=[loan.pk, "returned"])).status_code
        == 404
    )


def test_a_correction_on_the_customer_page(org, dealer, as_user):
    page = reverse("customer-page", args=[dealer.number])
    desk = as_user(org.clerk)
    assert 'id="correction-form"' in desk.get(page).content.decode()
    bad = desk.post(
        reverse("archive-correction-draft", args=[dealer.number]),
        {"field": "phone", "value": "x", "plan": "错"},
    )
    assert bad.status_code == 400 and "changes.phone" in bad.content.decode()
    ok = desk.post(
        reverse("archive-correction-draft", args=[dealer.number]),
        {"field": "phone", "value": "021-6234 9999", "plan": "电话登记错误"},
    )
    assert ok.status_code == 302
    correction = CorrectionRequest.objects.get()
    step = reverse("archive-correction-step", args=[correction.pk])
    assert desk.post(step, {"approve": "yes"}).status_code == 403
    director = as_user(org.director)
    assert director.post(step, {"approve": "yes"}).status_code == 302
    correction.refresh_from_db()
    assert correction.status == "approval"
    assert f'id="correction-{correction.pk}"' in as_user(org.gm).get(page).content.decode()
