"""PCB (seed 002): the responsible unit's loss split to persons by base points, the monthly
deduction capped at 50 % of the efficiency bonus with the rest carried over, sanctions converted to
money (客户投诉经济处罚准则 (三)3–4, 行政罚扣折算 1–3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from kesu.accountability import services
from kesu.accountability.models import Rule, SheetLine, SheetTotal
from kesu.decisions.services import ShareIn
from tests.accountability.conftest import (
    DECEMBER,
    NOVEMBER,
    approved_loss,
    confirm_all,
    forty_base_points,
    terms,
)
from tests.conftest import local


def total_of(month, staff) -> SheetTotal:
    return SheetTotal.objects.get(month__month=month, staff=staff)


def test_a_12000_loss_on_40_base_points_costs_the_person_with_3_bases_900_500_now_400_next_month(pcb):
    """(三)3 损失金额除以该职责部门的总基点数再乘以个人的总基点数: 12 000 ÷ 40 × 3 = 900;
    (三)4 最高金额以全月效率奖金50%为准 … 逐月分期罚扣: a 1 000 bonus deducts 500, carries 400,
    and December deducts the 400."""
    head, *_workers = forty_base_points(pcb)
    complaint = approved_loss(pcb, loss="12000.00", at=local(2026, 11, 10))

    with time_machine.travel(local(2026, 12, 2), tick=False):
        services.draft_month(month=NOVEMBER, by=pcb.gm)
        (line,) = SheetLine.objects.filter(month__month=NOVEMBER, staff=head)
        assert line.yuan == Decimal("-900.00")
        assert line.complaint == complaint and line.rule.code == "loss_share"
        assert "÷ 40 × 3 = ¥900.00" in line.arithmetic
        november = total_of(NOVEMBER, head)
        assert (november.capped_due, november.cap, november.deducted, november.carried_out) == (
            Decimal("900.00"),
            Decimal("500.00"),
            Decimal("500.00"),
            Decimal("400.00"),
        )
        # the department's loss is split to the fen over its 40 base points: nothing lost or made
        lines = SheetLine.objects.filter(month__month=NOVEMBER, rule__code="loss_share")
        assert sum(line.yuan for line in lines) == Decimal("-12000.00")
        confirm_all(NOVEMBER)  # the heads' review (seed 002 (九)10) before the GM approves
        services.approve_month(month=NOVEMBER, by=pcb.gm)
        services.draft_month(month=DECEMBER, by=pcb.gm)
    december = total_of(DECEMBER, head)
    assert (december.carried_in, december.deducted, december.carried_out) == (
        Decimal("400.00"),
        Decimal("400.00"),
        Decimal("0.00"),
    )


def test_a_person_named_in_the_decision_bears_the_share_alone(pcb):
    """经济处罚准则 (二): sales and service to the person where one can be named."""
    head, *_ = forty_base_points(pcb)
    approved_loss(
        pcb,
        loss="3000.00",
        at=local(2026, 11, 10),
        shares=[
            ShareIn(party="staff", staff="prodhead", share="60"),
            ShareIn(party="customer", name="客户", share="40"),
        ],
    )
    with time_machine.travel(local(2026, 12, 2), tick=False):
        services.draft_month(month=NOVEMBER, by=pcb.gm)
    (line,) = SheetLine.objects.filter(month__month=NOVEMBER)
    assert (line.staff, line.yuan) == (head, Decimal("-1800.00"))


@pytest.mark.parametrize(
    ("rule", "base", "bonus", "expected"),
    [
        ("warning", "2", "1000.00", Decimal("-400.00")),  # 警告一次，罚扣400元以上
        ("minor_demerit", "2", "1000.00", Decimal("-1600.00")),  # 小过一次，以每基数罚扣800元以上
        ("major_demerit", "2", "3100.00", Decimal("-3100.00")),  # 大过以上者，当月效益奖金全额罚扣
    ],
)
def test_each_sanction_converts_to_its_amount_outside_the_50_percent_cap(pcb, rule, base, bonus, expected):
    """行政罚扣折算 1–3; the preset states that the 50 % cap (经济处罚准则 (三)4) does not apply to
    sanctions: a major demerit takes the whole bonus."""
    terms(pcb.production_handler, base, bonus)
    with time_machine.travel(local(2026, 11, 20), tick=False):
        services.record_finding(
            month=NOVEMBER,
            rule=Rule.objects.get(code=rule),
            by=pcb.gm,
            staff=pcb.production_handler,
            reason="订单误记造成错误",
            evidence="奖罚通知单 2026-11-07",
        )
        services.draft_month(month=NOVEMBER, by=pcb.gm)
    (line,) = SheetLine.objects.filter(month__month=NOVEMBER)
    assert line.yuan == expected and line.finding is not None and not line.capped
    total = total_of(NOVEMBER, pcb.production_handler)
    assert total.yuan == expected and total.deducted == 0  # nothing capped: the sanction is paid whole


def test_a_redraft_from_the_same_facts_gives_the_same_sheet_line_for_line(pcb):
    forty_base_points(pcb)
    approved_loss(pcb, loss="999.99", at=local(2026, 11, 10))
    approved_loss(pcb, loss="12000.00", at=local(2026, 11, 12))

    def snapshot():
        return list(
            SheetLine.objects.filter(month__month=NOVEMBER).values_list(
                "position",
                "staff_id",
                "department_id",
                "rule_id",
                "complaint_id",
                "yuan",
                "points",
                "arithmetic",
            )
        )

    with time_machine.travel(local(2026, 12, 2), tick=False):
        services.draft_month(month=NOVEMBER, by=pcb.gm)
        first = snapshot()
        services.draft_month(month=NOVEMBER, by=pcb.gm)
    assert snapshot() == first and len(first) == 8
