"""Ownership of customer archives (issue 11 §3): the seed's cases (seed 000 第五篇 五) as scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from kesu.archive import ownership, services
from kesu.archive.models import ContactLogEntry, StaffContact
from kesu.archive.models_ownership import (
    ArchiveOwnership,
    CreditSplitCase,
    HandoverItem,
    OwnershipEvent,
    OwnershipRules,
)
from kesu.notifications.models import Notification
from tests.conftest import local

PRESETS = Path(__file__).resolve().parents[2] / "kesu" / "rulebook" / "presets"


def test_the_presets_numbers_are_the_seeds():
    """Seed 000 第五篇 五、2(1) 客户建档有效期为2个月; 五、3 the 80/20 and 50/50 cases."""
    for path in PRESETS.glob("*.json"):
        section = json.loads(path.read_text(encoding="utf-8"))["archive_ownership"]
        assert section["rules"]["registration_valid_months"] == 2
        assert "客户建档有效期为2个月" in section["rules"]["registration_source"]
        cases = {c["code"]: c for c in section["credit_split_cases"]}
        assert cases["customer_insists"]["registrant_share"] == 20  # A:80%，B:20%
        assert "A:80%，B:20%" in cases["customer_insists"]["source"]
        assert cases["registrant_absent"]["registrant_share"] == 80  # B:80%，C:20%
        assert "B:80%，C:20%" in cases["registrant_absent"]["source"]
        assert cases["forgotten_found"]["registrant_share"] == 50
        assert cases["named_on_later_visit"]["registrant_share"] == 50
        assert cases["complaint_against_registrant"]["registrant_share"] == 0
        assert "随机抽数" in section["rules"]["handover_source"]


def test_the_preset_is_loaded_as_rule_book_data(org):
    assert OwnershipRules.current().registration_valid_months == 2
    assert CreditSplitCase.objects.filter(code="customer_insists", registrant_share=20).exists()


def test_the_first_registration_wins_while_valid(org, sales, dealer):
    # given A registered the customer first
    with time_machine.travel(local(2026, 3, 2), tick=False):
        ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
        # when B registers the same customer the next day, then it is refused, naming A
        with pytest.raises(ownership.OwnershipConflict) as refused:
            ownership.register(archive=dealer, salesperson=sales.b, by=sales.b)
    assert "销售A" in str(refused.value) and "2026-05-02" in str(refused.value)
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.a


def test_a_lapsed_registration_may_be_taken_over(org, sales, dealer):
    with time_machine.travel(local(2026, 3, 2), tick=False):
        ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    # the last valid day
    with time_machine.travel(local(2026, 5, 2), tick=False), pytest.raises(ownership.OwnershipConflict):
        ownership.register(archive=dealer, salesperson=sales.b, by=sales.b)
    with time_machine.travel(local(2026, 5, 3), tick=False):
        ownership.register(archive=dealer, salesperson=sales.b, by=sales.b)
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.b
    event = OwnershipEvent.objects.filter(archive=dealer).first()
    assert (event.kind, event.from_staff, event.to_staff) == ("taken_over", sales.a, sales.b)


def test_the_owners_contact_renews_the_registration(org, sales, dealer):
    with time_machine.travel(local(2026, 3, 2), tick=False):
        ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    with time_machine.travel(local(2026, 4, 20), tick=False):
        services.log_contact(archive=dealer, by=sales.a, kind="visit", summary="回访")
    with time_machine.travel(local(2026, 6, 1), tick=False):
        assert ownership.standing(dealer).valid_until.isoformat() == "2026-06-20"
        with pytest.raises(ownership.OwnershipConflict):
            ownership.register(archive=dealer, salesperson=sales.b, by=sales.b)


def test_only_the_salesperson_their_manager_or_the_desk_registers(org, sales, dealer):
    with pytest.raises(ownership.NotAllowed):
        ownership.register(archive=dealer, salesperson=sales.a, by=sales.b)
    ownership.register(archive=dealer, salesperson=sales.a, by=sales.manager)
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.a


@pytest.mark.parametrize(
    ("case", "valid", "expected"),
    [
        ("returned_to_registrant", True, {"销售A": 100}),
        ("customer_insists", True, {"销售A": 20, "销售B": 80}),
        (
            "customer_insists",
            False,
            {"销售B": 100},
        ),  # 若B属建档无效期，则与B无关 (B here is the registrant A)
        ("registrant_absent", True, {"销售A": 80, "销售B": 20}),
        ("complaint_against_registrant", True, {"销售B": 100}),
        ("discount_seeking", False, {"销售A": 100}),
        ("forgotten_found", True, {"销售A": 50, "销售B": 50}),
        ("forgotten_found", False, {"销售B": 100}),
        ("named_on_later_visit", True, {"销售A": 50, "销售B": 50}),
    ],
)
def test_the_seeds_credit_split_cases(org, sales, dealer, case, valid, expected):
    """Seed 000 第五篇 五、3: the registrant (A) and the other salesperson (B)."""
    with time_machine.travel(local(2026, 3, 2), tick=False):
        ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    on = local(2026, 4, 1) if valid else local(2026, 7, 1)
    with time_machine.travel(on, tick=False):
        shares = ownership.record_credit_split(
            archive=dealer, case=case, other=sales.b, by=sales.manager, reason="成交"
        )
    assert {s.staff.display_name: s.percent for s in shares} == expected
    event = OwnershipEvent.objects.get(archive=dealer, kind="credit_split")
    assert {s["name"]: s["percent"] for s in event.data["shares"]} == expected


def test_an_unknown_split_case_is_a_field_error(org, sales, dealer):
    with pytest.raises(ValidationError) as refused:
        ownership.record_credit_split(archive=dealer, case="nope", other=sales.b, by=sales.manager)
    assert "case" in refused.value.message_dict


def test_a_dispute_goes_to_the_sales_manager_who_decides(org, sales, dealer):
    ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    dispute = ownership.open_dispute(archive=dealer, by=sales.b, reason="客户说是我先接待的")
    assert Notification.objects.filter(
        recipient=sales.manager, dedup_key=f"archive-dispute:{dispute.pk}"
    ).exists()
    # a salesperson, or the head of another department, may not decide
    for outsider in (sales.c, org.production_head):
        with pytest.raises(ownership.NotAllowed):
            ownership.decide_dispute(dispute=dispute, by=outsider, winner=sales.b, reason="x")
    ownership.decide_dispute(dispute=dispute, by=sales.manager, winner=sales.b, reason="登记表时间B在先")
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.b
    with pytest.raises(ValidationError):
        ownership.decide_dispute(dispute=dispute, by=sales.manager, winner=sales.a, reason="again")


def test_a_leavers_hand_over_moves_every_customer_and_notifies(
    org, sales, dealer, buyer, django_capture_on_commit_callbacks
):
    # given A owns two customers, the dealer with a contact who has an e-mail address
    services.add_contact(archive=dealer, by=org.clerk, name="陈经理", email="chen@example.com")
    for archive in (dealer, buyer):
        ownership.register(archive=archive, salesperson=sales.a, by=sales.a)
        StaffContact.objects.create(archive=archive, staff=sales.a)
    assert [a.number for a in ownership.archives_of(sales.a)] == sorted([dealer.number, buyer.number])
    # when the sales manager hands them over to B and C
    with pytest.raises(ValidationError) as incomplete:
        ownership.hand_over(
            leaver=sales.a, by=sales.manager, successors={dealer.number: sales.b}, reason="离职"
        )
    assert buyer.number in str(incomplete.value)
    with django_capture_on_commit_callbacks(execute=True):
        handover = ownership.hand_over(
            leaver=sales.a,
            by=sales.manager,
            successors={dealer.number: sales.b, buyer.number: sales.c},
            reason="销售A离职",
        )
    # then every customer moved, with who, when and why
    assert ownership.archives_of(sales.a) == []
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.b
    assert ArchiveOwnership.objects.get(archive=buyer).owner == sales.c
    assert set(StaffContact.objects.filter(archive=dealer).values_list("staff", flat=True)) == {sales.b.pk}
    events = OwnershipEvent.objects.filter(kind="handed_over")
    assert {(e.archive_id, e.to_staff_id, e.by_id, e.reason) for e in events} == {
        (dealer.pk, sales.b.pk, sales.manager.pk, "销售A离职"),
        (buyer.pk, sales.c.pk, sales.manager.pk, "销售A离职"),
    }
    # the customers are told of their new contact (a letter/e-mail in the contact log; an e-mail)
    letter = ContactLogEntry.objects.get(archive=dealer)
    assert letter.kind == "email" and "销售B" in letter.summary
    assert ContactLogEntry.objects.get(archive=buyer).kind == "letter"
    assert [m.to for m in mail.outbox] == [["chen@example.com"]] and "销售B" in mail.outbox[0].body
    # each successor is notified, and acknowledges
    assert Notification.objects.filter(recipient=sales.b, kind="handover").count() == 1
    assert Notification.objects.filter(recipient=sales.c, kind="handover").count() == 1
    with pytest.raises(ownership.NotAllowed):
        ownership.acknowledge(handover=handover, by=sales.a)
    assert ownership.acknowledge(handover=handover, by=sales.b) == 1
    assert (
        HandoverItem.objects.filter(handover=handover, acknowledged_at__isnull=True).get().successor
        == sales.c
    )


def test_unnamed_customers_are_drawn_at_random_from_the_named_successors(org, sales, dealer, buyer):
    for archive in (dealer, buyer):
        ownership.register(archive=archive, salesperson=sales.a, by=sales.a)
    ownership.hand_over(
        leaver=sales.a, by=sales.manager, successors={}, draw_from=[sales.b, sales.c], reason="调离"
    )
    owners = set(ArchiveOwnership.objects.values_list("owner", flat=True))
    assert owners <= {sales.b.pk, sales.c.pk} and ownership.archives_of(sales.a) == []


def test_only_the_leavers_manager_or_the_leadership_hands_over(org, sales, dealer):
    ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    for outsider in (sales.b, org.production_head, org.clerk):
        with pytest.raises(ownership.NotAllowed):
            ownership.hand_over(leaver=sales.a, by=outsider, successors={dealer.number: sales.b}, reason="x")
    ownership.hand_over(leaver=sales.a, by=org.gm, successors={dealer.number: sales.b}, reason="x")


def test_a_successor_who_cannot_sign_in_or_the_leaver_is_refused(org, sales, dealer):
    ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    sales.c.user.is_active = False
    sales.c.user.save()
    for successor in (sales.a, sales.c):
        with pytest.raises(ValidationError) as refused:
            ownership.hand_over(
                leaver=sales.a, by=sales.manager, successors={dealer.number: successor}, reason="x"
            )
        assert f"successors.{dealer.number}" in refused.value.message_dict
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.a


def test_a_leaver_who_is_only_a_staff_contact_is_replaced_the_owner_stays(org, sales, dealer):
    """Seed 001 客户管理制度4 八: 负责与客户联系的员工调离…指派其员工顶替 — a key customer's second contact."""
    ownership.register(archive=dealer, salesperson=sales.b, by=sales.b)
    StaffContact.objects.create(archive=dealer, staff=sales.a)
    assert [a.number for a in ownership.archives_of(sales.a)] == [dealer.number]
    ownership.hand_over(leaver=sales.a, by=sales.manager, successors={dealer.number: sales.c}, reason="调离")
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.b
    assert set(StaffContact.objects.filter(archive=dealer).values_list("staff", flat=True)) == {sales.c.pk}
    assert ownership.archives_of(sales.a) == []
