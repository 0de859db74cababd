"""Telecom (seed 000 第二篇 代维客户投诉处理考核办法): the 95-point monthly scorecard of the
maintenance team (the department handling the tickets). Late tickets come from the real deadline
sweep: the clock's holder is recorded when the sweep notes it late."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from kesu.accountability import services
from kesu.accountability.models import ClockLateness, Rule, SheetLine, SheetTotal
from kesu.complaints import services as complaint_services
from kesu.complaints.models import Category, Status
from kesu.deadlines.sweeps import sweep
from tests.accountability.conftest import NOVEMBER
from tests.conftest import advance, intake, local


def NETWORK() -> Category:  # noqa: N802 (reads as the class it is)
    return Category.objects.get(code="network_quality")


def late_tickets(org, count: int) -> None:
    """``count`` tickets received Monday 2026-11-16 09:00, sent to the team at once, not signed
    within 2 hours: the sweep at 11:30 notes each acknowledge clock late."""
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        for _ in range(count):
            complaint = complaint_services.register_complaint(
                by=org.clerk, intake=intake(category=NETWORK(), received_at=local(2026, 11, 16, 9))
            )
            advance(complaint, org, Status.TRANSFER_APPROVED)
    with time_machine.travel(local(2026, 11, 16, 11, 30), tick=False):
        sweep()


def draft(org) -> SheetTotal | None:
    """Draft November on the 7th of December (第二篇: 每个月7号对前一个月进行考核); the team's total,
    None when nothing hit it."""
    with time_machine.travel(local(2026, 12, 7), tick=False):
        services.draft_month(month=NOVEMBER, by=org.gm)
    return SheetTotal.objects.filter(month__month=NOVEMBER, staff=None, department=org.production).first()


def lines(org, rule: str) -> list[SheetLine]:
    return list(SheetLine.objects.filter(month__month=NOVEMBER, department=org.production, rule__code=rule))


def test_the_sweep_records_who_held_the_clock_and_a_later_reassignment_does_not_change_it(telecom):
    """Issue 10 §3: the holder (department, capacity) is the one of the moment it went late."""
    late_tickets(telecom, 1)
    (late,) = ClockLateness.objects.all()
    assert (late.kind, late.department, late.capacity) == ("acknowledge", telecom.production, "department")
    with pytest.raises(ValueError):
        late.save()  # recorded once, never changed
    late.complaint.handling_department = telecom.quality
    late.complaint.save(update_fields=["handling_department"])
    late.refresh_from_db()
    assert late.department == telecom.production and late.handling_department == telecom.production


def test_four_late_tickets_lose_8_points(telecom):
    """二 1: -2分/张."""
    late_tickets(telecom, 4)
    total = draft(telecom)
    assert [line.points for line in lines(telecom, "eoms_on_time")] == [Decimal("-2.00")] * 4
    assert total.points == Decimal("-8.00") and total.score == Decimal("87.00")


def test_six_late_tickets_lose_the_whole_item(telecom):
    """二 1: 月累计5张以上扣除该项目所有分数 — the preset reads the item as its section (40)."""
    late_tickets(telecom, 6)
    total = draft(telecom)
    item = lines(telecom, "eoms_on_time")
    assert len(item) == 7 and "6 > 5" in item[-1].arithmetic
    assert sum(line.points for line in item) == Decimal("-40.00")
    assert total.score == Decimal("55.00")


def test_five_late_tickets_are_still_counted_one_by_one(telecom):
    late_tickets(telecom, 5)
    assert draft(telecom).score == Decimal("85.00")


@pytest.mark.parametrize(("reply_hour", "minute", "lost"), [(1, 30, Decimal("-5.00")), (0, 30, Decimal("0"))])
def test_an_average_of_17_5_hours_loses_5_points_and_16_5_none(telecom, reply_hour, minute, lost):
    """二 2: 每个月投诉单的平均处理时长不能超过17小时 (-5分/月)."""
    with time_machine.travel(local(2026, 11, 16, 8, 10), tick=False):
        complaint = complaint_services.register_complaint(
            by=telecom.clerk, intake=intake(category=NETWORK(), received_at=local(2026, 11, 16, 8))
        )
        complaint = advance(complaint, telecom, Status.INVESTIGATING)
    with time_machine.travel(local(2026, 11, 17, reply_hour, minute), tick=False):
        advance(complaint, telecom, Status.REPLIED)
    total = draft(telecom)
    assert sum(line.points for line in lines(telecom, "average_handling")) == lost
    assert not lines(telecom, "eoms_on_time")  # nothing else was late
    if lost:
        assert "17.5 h > 17 h" in lines(telecom, "average_handling")[0].arithmetic
        assert total.score == Decimal("90.00")
    else:
        assert total is None  # nothing against the team: no line, no total


def test_a_secondary_complaint_loses_5_and_bonus_points_add_but_never_above_95(telecom):
    """二 7 客户二次投诉 (-5分/张); 五 加分 (+1分/张): 95 - 5 + 3 = 93; bonus alone stays at 95."""
    with time_machine.travel(local(2026, 11, 16, 8, 10), tick=False):
        complaint = complaint_services.register_complaint(
            by=telecom.clerk, intake=intake(category=NETWORK(), received_at=local(2026, 11, 16, 8))
        )
        complaint = advance(complaint, telecom, Status.REPLIED)
        complaint_services.file_secondary_complaint(
            complaint=complaint,
            by=telecom.clerk,
            description="仍然没有信号",
            received_at=local(2026, 11, 16, 8),
            channel="phone",
        )
        services.record_finding(
            month=NOVEMBER,
            rule=Rule.objects.get(code="bonus_parameters"),
            by=telecom.gm,
            department=telecom.production,
            count=3,
            reason="3 张投诉通过小区参数调整解决",
            evidence="案例报告 11-20",
        )
    total = draft(telecom)
    assert [line.points for line in lines(telecom, "secondary")] == [Decimal("-5.00")]
    assert total.score == Decimal("93.00")

    with time_machine.travel(local(2026, 11, 20), tick=False):
        services.record_finding(
            month=NOVEMBER,
            rule=Rule.objects.get(code="bonus_case_adopted"),
            by=telecom.gm,
            department=telecom.quality,
            reason="案例报告被省公司采纳",
            evidence="省公司通知",
        )
    draft(telecom)
    quality = SheetTotal.objects.get(month__month=NOVEMBER, staff=None, department=telecom.quality)
    assert quality.points == Decimal("2.00") and quality.score == Decimal("95.00")


def test_a_section_never_goes_below_zero(telecom):
    """一 工作规范 (15分): three secrecy breaches (-5 × 2 each) would be -30; the section stops at 0."""
    with time_machine.travel(local(2026, 11, 20), tick=False):
        services.record_finding(
            month=NOVEMBER,
            rule=Rule.objects.get(code="secrecy"),
            by=telecom.gm,
            department=telecom.production,
            count=6,
            reason="泄露测试数据",
            evidence="移动公司通报",
        )
    total = draft(telecom)
    assert total.points == Decimal("-30.00") and total.score == Decimal("80.00")


def test_a_clock_met_late_between_sweeps_is_recorded_when_it_stops(telecom):
    """No sweep ran (the worker was down): signing the ticket 3 hours after receipt meets the
    2-hour clock late, and the holder of that moment is recorded then, once."""
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = complaint_services.register_complaint(
            by=telecom.clerk, intake=intake(category=NETWORK(), received_at=local(2026, 11, 16, 9))
        )
        complaint = advance(complaint, telecom, Status.TRANSFER_APPROVED)
    with time_machine.travel(local(2026, 11, 16, 12), tick=False):
        advance(complaint, telecom, Status.ACCEPTED)
        sweep()  # the clock is met: nothing more to note
    (late,) = ClockLateness.objects.all()
    assert (late.kind, late.department, late.noted_at) == (
        "acknowledge",
        telecom.production,
        local(2026, 11, 16, 12),
    )
    assert late.clock.late_noted_at == local(2026, 11, 16, 12)
