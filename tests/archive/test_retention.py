"""Retention and destruction (issue 11 §5): a record past its period is proposed, refused without
approval, destroyed with it; its personal data is gone while its numbers and timeline remain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kesu.archive import retention, selectors, services
from kesu.archive.models import ArchiveChange, Contact, ContactLogEntry, CustomerArchive
from kesu.archive.models_retention import DestructionItem, DestructionList, RetentionPeriod
from kesu.complaints.models import Complaint
from kesu.notifications.models import Notification
from tests.conftest import local

PRESETS = Path(__file__).resolve().parents[2] / "kesu" / "rulebook" / "presets"


def test_the_presets_periods_are_the_seeds():
    """Seed 001 客户管理制度6 3、2、8: 客户档案的保管期限为10年 …招商部负责人审核，总经理审批;
    seed 000 第三篇 四、2: 资料保存一年，重要的资料长期保存."""
    for path in PRESETS.glob("*.json"):
        periods = {
            p["record"]: p
            for p in json.loads(path.read_text(encoding="utf-8"))["archive_retention"]["periods"]
        }
        assert periods["archive"]["years"] == 10 and "保管期限为10年" in periods["archive"]["source"]
        assert (
            periods["archive"]["approver_role"] == "general_manager"
            and "总经理审批" in periods["archive"]["source"]
        )
        assert periods["complaint"]["years"] == 1 and "资料保存一年" in periods["complaint"]["source"]
        assert (
            periods["complaint_important"]["years"] is None
            and "长期保存" in periods["complaint_important"]["source"]
        )
        assert (
            periods["archive"]["witness_required"] is False
            and "silent on a witness" in periods["archive"]["source"]
        )


def test_an_archive_is_due_ten_years_after_its_last_activity_never_earlier(org, old_customer):
    assert RetentionPeriod.for_record("archive").years == 10
    with time_machine.travel(local(2025, 6, 1), tick=False):
        assert old_customer.pk not in {a.pk for a in retention.due()}
        assert retention.propose() is None
    with time_machine.travel(local(2025, 6, 2), tick=False):
        due = retention.due()
        assert [a.pk for a in due] == [old_customer.pk] and due[0].due_on.isoformat() == "2025-06-01"


def test_an_open_complaint_keeps_the_archive(org, old_customer):
    Complaint.objects.filter(pk=old_customer.complaint.pk).update(status="registered")
    with time_machine.travel(local(2026, 1, 1), tick=False):
        assert retention.due() == []


def _approved(org):
    with time_machine.travel(local(2026, 1, 5), tick=False):
        destruction = retention.propose()
        retention.review(destruction=destruction, by=org.director)
        return retention.approve(destruction=destruction, by=org.gm)


def test_proposed_once_reviewers_told_refused_without_the_gms_approval(org, old_customer):
    with time_machine.travel(local(2026, 1, 5), tick=False):
        destruction = retention.propose()
        assert retention.propose() is None  # idempotent: already on an open list
    assert Notification.objects.filter(
        recipient=org.director, dedup_key__startswith="archive-destruction:"
    ).exists()
    # refused while only proposed, and while only reviewed
    with pytest.raises(retention.NotAllowed):
        retention.destroy(destruction=destruction, by=org.clerk)
    with pytest.raises(retention.NotAllowed):  # the clerk is not the responsible manager
        retention.review(destruction=destruction, by=org.clerk)
    retention.review(destruction=destruction, by=org.director)
    with pytest.raises(retention.NotAllowed):
        retention.destroy(destruction=destruction, by=org.clerk)
    with pytest.raises(retention.NotAllowed):  # approval by someone without the authority
        retention.approve(destruction=destruction, by=org.vp)
    customer = CustomerArchive.objects.get(pk=old_customer.pk).customer
    assert customer.name == "刘建华" and customer.phone == "138 1234 5679"


def test_destroyed_with_approval_personal_data_gone_numbers_and_timeline_kept(org, old_customer):
    destruction = _approved(org)
    timeline_before = [(i.kind, i.at) for i in selectors.timeline(old_customer.customer, staff=org.director)]
    with time_machine.travel(local(2026, 1, 6), tick=False):
        done = retention.destroy(destruction=destruction, by=org.clerk, witness=org.director)
    assert (done.archives, done.complaints) == (1, 1)
    archive = CustomerArchive.objects.select_related("customer").get(pk=old_customer.pk)
    customer = archive.customer
    # personal data gone
    assert customer.name == f"已销毁 {archive.number}"
    assert (customer.phone, customer.address, customer.contact_name) == ("", "", "")
    assert archive.profile == {} and not Contact.objects.filter(archive=archive).exists()
    assert all(e.summary == "已销毁" for e in ContactLogEntry.objects.filter(archive=archive))
    phone_change = ArchiveChange.objects.get(archive=archive, field="phone")
    assert (phone_change.old, phone_change.new) == (None, None)
    complaint = Complaint.objects.get(pk=old_customer.complaint.pk)
    assert (complaint.complainant_name, complaint.complainant_phone, complaint.complainant_address) == (
        "已销毁",
        "",
        "",
    )
    assert (
        selectors.lookup("1234 567", staff=org.clerk) == []
        and selectors.lookup("刘建华", staff=org.clerk) == []
    )
    # numbers and timeline kept (one more entry: the destruction itself)
    assert complaint.number == old_customer.complaint.number and archive.number == old_customer.number
    timeline_after = [(i.kind, i.at) for i in selectors.timeline(customer, staff=org.director)]
    assert set(timeline_before) <= set(timeline_after) and len(timeline_after) == len(timeline_before) + 1
    # the destruction record: who approved, who destroyed, the witness, when, what
    record = DestructionList.objects.get(pk=destruction.pk)
    assert (record.status, record.reviewed_by, record.approved_by, record.destroyed_by, record.witness) == (
        "destroyed",
        org.director,
        org.gm,
        org.clerk,
        org.director,
    )
    item = DestructionItem.objects.get(destruction=record)
    assert item.kept["number"] == archive.number and item.kept["complaints"] == [complaint.number]
    assert item.destroyed_at is not None
    assert retention.is_destroyed(archive)
    # not proposed again
    with time_machine.travel(local(2026, 2, 1), tick=False):
        assert retention.propose() is None


def test_an_archive_active_again_since_proposed_is_not_destroyed_early(org, old_customer):
    destruction = _approved(org)
    with time_machine.travel(local(2026, 1, 6), tick=False):
        services.log_contact(archive=old_customer, by=org.clerk, kind="call", summary="客户又来电")
        with pytest.raises(ValidationError) as refused:
            retention.destroy(destruction=destruction, by=org.clerk)
    assert old_customer.number in str(refused.value)
    assert CustomerArchive.objects.get(pk=old_customer.pk).customer.name == "刘建华"


def test_the_reviewer_cannot_also_approve_and_a_rejected_list_destroys_nothing(org, old_customer):
    from kesu.organization.models import RoleAssignment

    RoleAssignment.objects.create(staff=org.director, role="general_manager")
    with time_machine.travel(local(2026, 1, 5), tick=False):
        destruction = retention.propose()
        retention.review(destruction=destruction, by=org.director)
        with pytest.raises(retention.NotAllowed):
            retention.approve(destruction=destruction, by=org.director)
        with pytest.raises(ValidationError):  # a rejection needs its reason
            retention.approve(destruction=destruction, by=org.gm, reject=True)
        retention.approve(destruction=destruction, by=org.gm, reject=True, note="仍有业务往来")
        with pytest.raises(retention.WrongState):
            retention.destroy(destruction=destruction, by=org.clerk)


def test_a_witness_is_required_where_the_rule_book_says_so(org, old_customer):
    RetentionPeriod.objects.filter(record="archive").update(witness_required=True)
    destruction = _approved(org)
    with pytest.raises(ValidationError) as refused:
        retention.destroy(destruction=destruction, by=org.clerk)
    assert "witness" in refused.value.message_dict
    with pytest.raises(ValidationError):
        retention.destroy(destruction=destruction, by=org.clerk, witness=org.clerk)


def test_the_logs_stay_append_only_outside_a_destruction(org, old_customer):
    entry = ContactLogEntry.objects.filter(archive=old_customer).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactLogEntry.objects.filter(pk=entry.pk).update(summary="篡改")
