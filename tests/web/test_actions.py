"""Taking actions from the complaint page: happy paths, refusals (403), bad input (400), stale (409)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kesu.complaints.models import Complaint, ComplaintEvent, Status, TransferSlip
from tests.conftest import advance
from tests.web.conftest import opened_form


def _act(client, complaint, action, version=None, **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    data[f"{action}-version"] = complaint.version if version is None else version
    return client.post(reverse("complaint-action", args=[complaint.number, action]), data)


def _events(complaint: Complaint) -> int:
    return ComplaintEvent.objects.filter(complaint=complaint).count()


def test_clerk_proposes_a_transfer(as_user, org, register):
    complaint = register()

    response = _act(
        as_user(org.clerk),
        complaint,
        "propose_transfer",
        to_department="production",
        to_position=org.production_manager.pk,
        reason="转生产部",
    )

    assert response.status_code == 302
    assert response.url == reverse("complaint-detail", args=[complaint.number])
    complaint.refresh_from_db()
    assert complaint.status == Status.TRANSFER_PROPOSED
    slip = TransferSlip.objects.get(complaint=complaint)
    assert (slip.to_department, slip.to_position, slip.proposed_by) == (
        org.production,
        org.production_manager,
        org.clerk,
    )


def test_gm_approves_and_the_department_accepts_naming_a_handler(as_user, org, register):
    complaint = advance(register(), org, "transfer_proposed")

    assert _act(as_user(org.gm), complaint, "approve_transfer", comment="同意").status_code == 302
    complaint.refresh_from_db()
    response = _act(as_user(org.production_head), complaint, "accept_transfer", handler="prodhandler")

    complaint.refresh_from_db()
    assert response.status_code == 302
    assert complaint.status == Status.ACCEPTED and complaint.handler == org.production_handler


def test_not_allowed_is_403_with_the_reason_and_the_allowed_actions(as_user, org, register):
    complaint = advance(register(), org, "transfer_proposed")
    before = _events(complaint)

    response = _act(as_user(org.clerk), complaint, "approve_transfer")

    assert response.status_code == 403
    html = response.content.decode()
    assert response.context["error"].reason in html
    assert response.context["error"].allowed == ["withdraw", "correct", "comment"]
    assert str(response.context["allowed"][0]) in html
    assert _events(complaint) == before


def test_a_refusal_comes_before_input_errors(as_user, org, register):
    complaint = advance(register(), org, "transfer_proposed")

    response = _act(as_user(org.production_handler), complaint, "reject_transfer", comment="")

    assert response.status_code == 403


def test_unknown_action_is_403_naming_the_allowed_ones(as_user, org, register):
    complaint = register()

    response = _act(as_user(org.clerk), complaint, "teleport")

    assert response.status_code == 403
    assert "propose_transfer" in response.context["error"].allowed


def test_missing_required_input_is_400_with_field_errors_and_nothing_changes(as_user, org, register):
    complaint = register()
    before = _events(complaint)

    response = _act(
        as_user(org.clerk), complaint, "propose_transfer", to_department="production", reason="  "
    )

    assert response.status_code == 400
    form = next(f["form"] for f in response.context["action_forms"] if f["name"] == "propose_transfer")
    assert "reason" in form.errors
    assert "open" in response.content.decode().split('action-propose_transfer"')[1][:80]
    complaint.refresh_from_db()
    assert complaint.status == Status.CLASSIFIED and _events(complaint) == before


def test_service_validation_errors_are_400(as_user, org, register):
    complaint = advance(register(), org, "transfer_approved")

    # the handler must belong to the receiving department
    response = _act(as_user(org.production_head), complaint, "accept_transfer", handler="qualityhead")

    assert response.status_code == 400
    form = next(f["form"] for f in response.context["action_forms"] if f["name"] == "accept_transfer")
    assert "handler" in form.errors
    complaint.refresh_from_db()
    assert complaint.status == Status.TRANSFER_APPROVED


def test_bad_choice_and_bad_version_are_400(as_user, org, register):
    complaint = register()
    client = as_user(org.clerk)

    assert _act(client, complaint, "propose_transfer", to_department="nowhere", reason="x").status_code == 400
    assert _act(client, complaint, "comment", version="abc", comment="好").status_code == 400
    assert _events(complaint) == 1


def test_stale_version_is_409_and_nothing_is_lost(as_user, org, register):
    complaint = register()
    stale_version = complaint.version
    _act(as_user(org.clerk), complaint, "comment", comment="第一条")

    response = _act(as_user(org.director), complaint, "comment", version=stale_version, comment="第二条")

    assert response.status_code == 409
    assert reverse("complaint-detail", args=[complaint.number]) in response.content.decode()
    assert list(ComplaintEvent.objects.filter(action="comment").values_list("comment", flat=True)) == [
        "第一条"
    ]


def test_outsider_cannot_act_and_gets_404(as_user, org, register):
    complaint = register()

    assert _act(as_user(org.outsider), complaint, "comment", comment="hi").status_code == 404


def test_actions_need_post(as_user, org, register):
    complaint = register()
    url = reverse("complaint-action", args=[complaint.number, "comment"])

    assert as_user(org.clerk).get(url).status_code == 405


def test_correction_sends_only_changed_fields(as_user, org, register):
    complaint = register(order_number="SO-1")
    client = as_user(org.clerk)
    form = client.get(
        reverse("complaint-action-form", args=[complaint.number, "correct"]), HTTP_HX_REQUEST="true"
    ).context["af"]["form"]
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, list):
            data[field.html_name] = value
        elif value is not None:
            data[field.html_name] = field.field.widget.format_value(value) or ""
    data.update({"correct-order_number": "SO-2", "correct-reason": "客户更正订单号"})

    response = client.post(reverse("complaint-action", args=[complaint.number, "correct"]), data)

    assert response.status_code == 302
    event = ComplaintEvent.objects.get(action="correct")
    assert event.data == {"changes": {"order_number": {"old": "SO-1", "new": "SO-2"}}}
    assert event.comment == "客户更正订单号"


def test_correction_without_changes_is_400(as_user, org, register):
    complaint = register()

    response = _act(
        as_user(org.clerk),
        complaint,
        "correct",
        channel="phone",
        received_at=timezone.localtime(complaint.received_at).strftime("%Y-%m-%dT%H:%M:%S"),
        complainant_name=complaint.complainant_name,
        complainant_phone=complaint.complainant_phone,
        description=complaint.description,
        severity="normal",
        reason="无",
    )

    assert response.status_code == 400
    form = next(f["form"] for f in response.context["action_forms"] if f["name"] == "correct")
    assert form.non_field_errors() and form.changed_data == ["reason"]
    assert _events(complaint) == 1


def test_filing_a_secondary_complaint_redirects_to_the_new_one(as_user, org, register):
    first = advance(register(), org, "replied")
    received = (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")

    response = _act(
        as_user(org.clerk),
        first,
        "file_secondary",
        description="维修后再次开裂",
        received_at=received,
        channel="phone",
    )

    second = Complaint.objects.get(parent=first)
    assert response.status_code == 302
    assert response.url == reverse("complaint-detail", args=[second.number])
    assert second.description == "维修后再次开裂"


def test_a_409_keeps_what_was_typed_and_shows_what_changed(as_user, org, register):
    # given the director opened the page, then the clerk commented
    complaint = register()
    client = as_user(org.director)
    page = opened_form(client, complaint.number, "comment")
    seen = re.search(r'name="comment-seen" value="([^"]+)"', page).group(1)
    _act(as_user(org.clerk), complaint, "comment", comment="客户已来电催促")
    # when the director sends a comment typed on the stale page
    client = as_user(org.director)
    response = client.post(
        reverse("complaint-action", args=[complaint.number, "comment"]),
        {"comment-version": complaint.version, "comment-seen": seen, "comment-comment": "我的长篇意见"},
    )
    # then nothing is saved, the text is still in the form and the clerk's comment is shown
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="stale"' in html
    assert "我的长篇意见</textarea>" in html
    stale_box = html.split('id="stale"', 1)[1].split("</div>", 1)[0]
    assert "客户已来电催促" in stale_box and org.clerk.display_name in stale_box
    # and confirming again from that form now goes through
    complaint.refresh_from_db()
    version = re.search(r'name="comment-version" value="(\d+)"', html).group(1)
    assert int(version) == complaint.version
    again = client.post(
        reverse("complaint-action", args=[complaint.number, "comment"]),
        {"comment-version": version, "comment-comment": "我的长篇意见"},
    )
    assert again.status_code == 302
    assert list(ComplaintEvent.objects.filter(action="comment").values_list("comment", flat=True)) == [
        "客户已来电催促",
        "我的长篇意见",
    ]


def test_a_409_on_an_action_no_longer_possible_still_shows_the_text(as_user, org, register):
    complaint = register()
    # the clerk withdraws it while the director was typing the same
    assert _act(as_user(org.clerk), complaint, "withdraw", comment="客户来电撤诉").status_code == 302
    response = as_user(org.director).post(
        reverse("complaint-action", args=[complaint.number, "withdraw"]),
        {"withdraw-version": complaint.version, "withdraw-comment": "客户撤回投诉的原话"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    typed = html.split('class="stale-typed"', 1)[1]
    assert "客户撤回投诉的原话" in typed


def test_an_action_form_opens_without_javascript_and_a_refused_one_says_so(as_user, org, register):
    complaint = register()
    client = as_user(org.clerk)
    url = reverse("complaint-action-form", args=[complaint.number, "comment"])
    # the page offers the action closed, with a link to its form for a browser without JavaScript
    page = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    assert 'name="comment-comment"' not in page and f'href="{url}?' in page
    # following it shows the whole page with that form open
    html = client.get(url).content.decode()
    assert "<h1>" in html and 'name="comment-comment"' in html
    assert "open" in html.split('action-comment"')[1][:80]
    # an action this person may not take is not offered as a form, with or without htmx
    refused = reverse("complaint-action-form", args=[complaint.number, "approve_transfer"])
    assert "approve_transfer-" not in client.get(refused, HTTP_HX_REQUEST="true").content.decode()
    assert "approve_transfer-" not in client.get(refused).content.decode()
