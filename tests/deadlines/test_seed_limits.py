"""The presets run their seeds' numbers, literally: PCB's 2-digit monthly serial and 13/17 days by
customer market, liquor's 24-hour first answer and 7-working-day ceiling, the telecom monthly
target measured to the final reply, the furniture visit counted from the delivery date given."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from kesu.complaints import services
from kesu.complaints.actions import perform_action
from kesu.complaints.models import Category, Complaint, Status
from kesu.complaints.workflow import allowed_actions
from kesu.core.errors import ActionNotAllowed
from kesu.customers.models import Customer
from kesu.deadlines import clock_actions
from kesu.deadlines.figures import figures
from kesu.deadlines.models import ClockState, ComplaintClock, ExtensionRequest, HandlingTimeTarget
from kesu.organization.selectors import capacities_of
from kesu.rulebook.models import NumberCounter
from kesu.rulebook.services import apply_preset
from tests.conftest import advance, intake, local


def clock(complaint: Complaint, kind: str) -> ComplaintClock:
    return ComplaintClock.objects.get(complaint=complaint, kind=kind)


def offered(complaint: Complaint, staff) -> list[str]:
    return allowed_actions(complaint=complaint, capacities=capacities_of(staff=staff))


def register(org, **overrides) -> Complaint:
    return services.register_complaint(by=org.clerk, intake=intake(**overrides))


# ---------------------------------------------------------------------------------------------
# PCB (seed 002)


def test_pcb_serial_is_two_digits_a_month_and_widens_for_the_100th(org):
    """Seed 002 (八): 年度(××)月份(××)流水编号(××), 编号周期以年度月份为原则."""
    apply_preset(name="pcb")
    electrical = Category.objects.get(code="quality_electrical")
    # given 97 complaints already numbered in October 2026
    NumberCounter.objects.create(period="monthly:2026-10", last_value=97)
    numbers = []
    for day in (5, 6, 7):
        with time_machine.travel(local(2026, 10, day, 10), tick=False):
            numbers.append(register(org, received_at=local(2026, 10, day, 9), category=electrical).number)
    with time_machine.travel(local(2026, 11, 2, 10), tick=False):
        numbers.append(register(org, received_at=local(2026, 11, 2, 9), category=electrical).number)

    # then the 98th and 99th have two digits, the 100th three, and November starts again at 01
    assert numbers == ["261098", "261099", "2610100", "261101"]
    assert len(set(numbers)) == len(numbers)
    # within a month, numbers sort by length then text in the order they were given (a plain text
    # sort would put 2610100 before 261099; the lists sort by registration time, newest first)
    october = numbers[:3]
    assert sorted(october, key=lambda n: (len(n), n)) == october
    assert list(Complaint.objects.values_list("number", flat=True)) == numbers[::-1]


def test_pcb_closes_in_13_days_domestic_and_17_overseas_from_registration(org):
    """Seed 002 (十) 1: 处理期限自总经理室受理起国内13天国外17天内结案."""
    apply_preset(name="pcb")
    electrical = Category.objects.get(code="quality_electrical")
    home = Customer.objects.create(code="C-001", name="深圳某电子")
    abroad = Customer.objects.create(code="C-002", name="Acme GmbH", is_overseas=True)
    registered = local(2026, 11, 2, 10)
    with time_machine.travel(registered, tick=False):
        domestic = register(org, received_at=local(2026, 10, 30, 9), category=electrical, customer=home)
        overseas = register(org, received_at=local(2026, 10, 30, 9), category=electrical, customer=abroad)
        unnamed = register(org, received_at=local(2026, 10, 30, 9), category=electrical)

    # counted from the GM office's receipt (registration), not from when the customer complained
    assert clock(domestic, "close").due_at == registered + timedelta(days=13)
    assert clock(overseas, "close").due_at == registered + timedelta(days=17)
    assert clock(unnamed, "close").due_at == registered + timedelta(days=13)  # no customer: domestic


def test_pcb_correcting_the_customer_to_an_overseas_one_gives_17_days(org):
    apply_preset(name="pcb")
    abroad = Customer.objects.create(code="C-002", name="Acme GmbH", is_overseas=True)
    registered = local(2026, 11, 2, 10)
    with time_machine.travel(registered, tick=False):
        complaint = register(org, category=Category.objects.get(code="quality_electrical"))
        assert clock(complaint, "close").due_at == registered + timedelta(days=13)
        services.correct_complaint(
            complaint=complaint, by=org.clerk, changes={"customer": abroad}, reason="外销客户"
        )
    assert clock(complaint, "close").due_at == registered + timedelta(days=17)


def test_pcb_close_limit_never_pauses(org):
    apply_preset(name="pcb")
    with time_machine.travel(local(2026, 11, 2, 10), tick=False):
        complaint = register(org, category=Category.objects.get(code="quality_electrical"))
    assert "await_customer" not in offered(complaint, org.clerk)
    with pytest.raises(ActionNotAllowed):
        perform_action(
            complaint=complaint,
            action="await_customer",
            by=org.clerk,
            inputs={"comment": "等样品"},
            version=None,
        )
    assert clock(complaint, "close").state == ClockState.RUNNING


# ---------------------------------------------------------------------------------------------
# liquor (seed 000 第三篇)


@pytest.fixture
def liquor_phone(org) -> Complaint:
    """A phone complaint about quality, received Monday 2026-11-16 08:00."""
    apply_preset(name="liquor")
    with time_machine.travel(local(2026, 11, 16, 8, 5), tick=False):
        return register(
            org,
            received_at=local(2026, 11, 16, 8),
            category=Category.objects.get(code="quality"),
            channel="phone",
        )


def test_liquor_phone_complaint_gets_a_first_answer_within_24_hours_not_the_final_reply(org, liquor_phone):
    """Seed 000 第三篇 二 1: 不能解答的立即建立客户投诉表……在24小时答复客户."""
    first = clock(liquor_phone, "customer_ack")
    assert first.due_at == local(2026, 11, 17, 8)
    assert not ComplaintClock.objects.filter(complaint=liquor_phone, kind="reply").exists()
    assert "acknowledge_customer" in offered(liquor_phone, org.clerk)

    # when the desk tells the customer in the afternoon what happens next
    with time_machine.travel(local(2026, 11, 16, 15), tick=False):
        answered = perform_action(
            complaint=liquor_phone,
            action="acknowledge_customer",
            by=org.clerk,
            inputs={"reply": "已受理，质量部调查，三个工作日内答复"},
            version=liquor_phone.version,
        )

    # then the first answer is met on time, the status is unchanged, the timeline says what was said
    first.refresh_from_db()
    assert first.state == ClockState.MET and not first.is_late_at(local(2026, 11, 30))
    assert answered.status == liquor_phone.status
    event = answered.events.last()
    assert (event.action, event.comment) == ("acknowledge_customer", "已受理，质量部调查，三个工作日内答复")
    assert clock(liquor_phone, "resolution").state == ClockState.RUNNING  # handling goes on
    # and it is offered no more
    assert "acknowledge_customer" not in offered(answered, org.clerk)


def test_the_first_answer_needs_what_was_said(org, liquor_phone):
    with pytest.raises(ValidationError) as error:
        perform_action(
            complaint=liquor_phone, action="acknowledge_customer", by=org.clerk, inputs={}, version=None
        )
    assert "reply" in error.value.message_dict
    assert clock(liquor_phone, "customer_ack").state == ClockState.RUNNING


def test_a_walk_in_complaint_has_no_first_answer_limit(org):
    """Seed 000 第三篇 二 3: walk-in complaints are registered within 24 hours — no answer limit."""
    apply_preset(name="liquor")
    complaint = register(org, category=Category.objects.get(code="quality"), channel="in_person")
    assert not ComplaintClock.objects.filter(complaint=complaint, kind="customer_ack").exists()
    assert "acknowledge_customer" not in offered(complaint, org.clerk)


def test_liquor_extensions_stop_at_seven_working_days(org, liquor_phone):
    """Seed 000 第三篇 三: 处理期限不能超过三个工作日，特殊状况不能超过七个工作日."""
    resolution = clock(liquor_phone, "resolution")
    assert resolution.due_at == local(2026, 11, 19, 17, 30)  # received Monday: Tue, Wed, Thu

    # a +30 working-day request is refused on the field, and nothing is saved
    with pytest.raises(ValidationError) as error:
        perform_action(
            complaint=liquor_phone,
            action="request_extension",
            by=org.clerk,
            inputs={"clock": "resolution", "extra_amount": "30", "reason": "特殊情况"},
            version=liquor_phone.version,
        )
    assert "最多还能延期 4。" in " ".join(error.value.message_dict["extra_amount"])
    assert not ExtensionRequest.objects.exists()

    # four more (7 in all) are granted
    complaint = clock_actions.request_extension(
        complaint=liquor_phone, by=org.clerk, clock="resolution", extra_amount=Decimal(4), reason="待检验"
    )
    complaint = clock_actions.approve_extension(complaint=complaint, by=org.director)
    resolution.refresh_from_db()
    assert resolution.due_at == local(2026, 11, 25, 17, 30)  # the 7th working day after receipt
    # and not one day more
    with pytest.raises(ValidationError) as error:
        clock_actions.request_extension(
            complaint=complaint, by=org.clerk, clock="resolution", extra_amount=Decimal(1), reason="再延"
        )
    assert "extra_amount" in error.value.message_dict


# ---------------------------------------------------------------------------------------------
# telecom target (seed 000 第二篇 二 2) and the figures of the other rule books


def _replied_then_closed(org, received: datetime, replied: datetime, closed: datetime, **overrides) -> None:
    with time_machine.travel(received, tick=False):
        complaint = advance(register(org, received_at=received, **overrides), org, Status.RESOLUTION_PROPOSED)
    with time_machine.travel(replied, tick=False):
        complaint = advance(complaint, org, Status.REPLIED)
    with time_machine.travel(closed, tick=False):
        complaint = advance(complaint, org, Status.FOLLOWED_UP)
        services.close_complaint(complaint=complaint, by=org.clerk, late_reason="基站故障")


def test_telecom_average_is_measured_to_the_final_reply_against_17_hours(org):
    """Seed 000 第二篇 二 2: 每个月投诉单的平均处理时长不能超过17小时 (二 1: 最终回复)."""
    apply_preset(name="telecom")
    network = Category.objects.get(code="network_quality")
    # replied after 10 and 24 hours (average 17: on target), closed two days later each
    _replied_then_closed(
        org, local(2026, 11, 2, 8), local(2026, 11, 2, 18), local(2026, 11, 4, 18), category=network
    )
    _replied_then_closed(
        org, local(2026, 11, 3, 8), local(2026, 11, 4, 8), local(2026, 11, 6, 8), category=network
    )
    with time_machine.travel(local(2026, 11, 20), tick=False):
        (row,) = figures(by="category", since=local(2026, 11, 1).date(), until=local(2026, 11, 30).date())
    assert row.average_handling_hours == pytest.approx(17)  # to closing it would be 65 hours
    assert (row.target_hours, row.replied, row.above_target) == (17.0, 2, False)

    # one more replied after 30 hours puts the month above the target
    _replied_then_closed(
        org, local(2026, 11, 9, 8), local(2026, 11, 10, 14), local(2026, 11, 10, 15), category=network
    )
    with time_machine.travel(local(2026, 11, 20), tick=False):
        (row,) = figures(by="month", since=local(2026, 11, 1).date(), until=local(2026, 11, 30).date())
    assert row.average_handling_hours == pytest.approx((10 + 24 + 30) / 3)
    assert row.above_target is True


def test_the_target_is_edited_in_the_rule_book(org):
    apply_preset(name="telecom")
    HandlingTimeTarget.objects.update(max_average_hours=Decimal(40))
    _replied_then_closed(
        org,
        local(2026, 11, 2, 8),
        local(2026, 11, 3, 14),
        local(2026, 11, 3, 15),
        category=Category.objects.get(code="network_quality"),
    )
    with time_machine.travel(local(2026, 11, 20), tick=False):
        (row,) = figures(by="month", since=local(2026, 11, 1).date(), until=local(2026, 11, 30).date())
    assert (row.average_handling_hours, row.target_hours, row.above_target) == (30, 40, False)


@pytest.mark.parametrize("name", ["furniture", "liquor", "pcb", "lawfirm"])
def test_other_rule_books_have_no_target(db, name):
    apply_preset(name=name)
    assert HandlingTimeTarget.current_hours() is None


def test_figures_page_shows_the_target_only_where_the_rule_book_sets_one(org, client):
    # a furniture complaint replied after 5 days: far above 17 hours, yet nothing is marked
    _replied_then_closed(org, local(2026, 11, 2, 8), local(2026, 11, 7, 8), local(2026, 11, 8, 8))
    client.force_login(org.director.user)
    with time_machine.travel(local(2026, 11, 20), tick=False):
        html = client.get(reverse("figures")).content.decode()
        assert "above-target" not in html and "handling-target" not in html
        apply_preset(name="telecom")
        html = client.get(reverse("figures")).content.decode()
    assert "handling-target" in html and "above-target" in html


def test_the_admin_edits_the_target(org, client, django_user_model):
    apply_preset(name="telecom")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    target = HandlingTimeTarget.objects.get()
    page = client.get(reverse("admin:deadlines_handlingtimetarget_change", args=[target.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:deadlines_handlingtimetarget_change", args=[target.pk]),
        {"name": target.name, "max_average_hours": "0", "source": target.source},
    )
    assert response.status_code == 200 and "目标必须大于零小时" in response.content.decode()
    target.refresh_from_db()
    assert target.max_average_hours == 17


# ---------------------------------------------------------------------------------------------
# furniture follow-up visit (seed 000 第一篇 4.4)


def test_quality_visit_is_due_on_the_2nd_day_after_the_delivery_date_given(org):
    """4.4 1): 产品质量类投诉在返修产品交货期第2天回访 — from the delivery, not from when it was typed."""
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        complaint = advance(register(org, received_at=local(2026, 11, 2, 8)), org, Status.REPLIED)
    # the goods were delivered on the 3rd; the desk records it on the 6th
    with time_machine.travel(local(2026, 11, 6, 9), tick=False):
        complaint = perform_action(
            complaint=complaint,
            action="record_delivery",
            by=org.clerk,
            inputs={"delivered_at": "2026-11-03T15:00:00+08:00"},
            version=complaint.version,
        )
    assert clock(complaint, "follow_up").due_at == local(2026, 11, 5, 15)

    # a corrected delivery date moves the visit with it
    with time_machine.travel(local(2026, 11, 6, 10), tick=False):
        complaint = clock_actions.record_delivery(
            complaint=complaint, by=org.clerk, delivered_at=local(2026, 11, 4, 15)
        )
    assert clock(complaint, "follow_up").due_at == local(2026, 11, 6, 15)


def test_quality_visit_cannot_come_before_the_delivery(org):
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        complaint = advance(register(org, received_at=local(2026, 11, 2, 8)), org, Status.REPLIED)
    # a minute after the reply, before the repaired goods reached the customer
    with time_machine.travel(local(2026, 11, 2, 9, 1), tick=False), pytest.raises(ValidationError) as error:
        services.record_follow_up(complaint=complaint, by=org.clerk, comment="满意", satisfaction="satisfied")
    assert "请先记录交付" in " ".join(error.value.message_dict["comment"])
    complaint.refresh_from_db()
    assert complaint.status == Status.REPLIED


def test_a_delivery_cannot_predate_the_complaint(org):
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        complaint = advance(register(org, received_at=local(2026, 11, 2, 8)), org, Status.REPLIED)
        with pytest.raises(ValidationError) as error:
            clock_actions.record_delivery(complaint=complaint, by=org.clerk, delivered_at=local(2026, 10, 1))
    assert "delivered_at" in error.value.message_dict


def test_other_classes_are_visited_after_the_reply_without_a_delivery(org):
    """4.4 2): 其他类问题投诉在回复客户处理意见后15天回访."""
    service = Category.objects.get(code="service_quality")
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        complaint = advance(
            register(org, received_at=local(2026, 11, 2, 8), category=service), org, Status.REPLIED
        )
    assert clock(complaint, "follow_up").due_at == local(2026, 11, 17, 9)
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        visited = services.record_follow_up(
            complaint=complaint, by=org.clerk, comment="满意", satisfaction="satisfied"
        )
    assert visited.status == Status.FOLLOWED_UP


# ---------------------------------------------------------------------------------------------
# law firm (seed 000 第四篇)


def test_lawfirm_preset_loads_and_runs_without_clocks(org):
    from kesu.organization.models import Role
    from kesu.rulebook.models import RecusalSubstitute, RuleBook

    apply_preset(name="lawfirm")
    rulebook = RuleBook.current()
    assert (rulebook.numbering_pattern, rulebook.numbering_reset) == ("{YYYY}{SEQ:3}", "yearly")
    assert set(Category.objects.filter(is_active=True).values_list("code", flat=True)) == {
        "complaint",
        "feedback",
    }
    substitutes = dict(RecusalSubstitute.objects.values_list("role", "substitute_role"))
    assert substitutes == {
        Role.GENERAL_MANAGER: Role.VICE_PRESIDENT,
        Role.VICE_PRESIDENT: Role.GENERAL_MANAGER,
    }
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        complaint = register(
            org, received_at=local(2026, 11, 2, 8), category=Category.objects.get(code="complaint")
        )
    assert complaint.number == "2026001"
    assert not complaint.clocks.exists()
