"""An approval waiting past its limit is reminded and escalated like any clock (kind "approval",
counted from the request, met by the decision). The PCB preset's limit: seed 002 (九)6 gives the
GM office one day to consolidate and route by approval authority (應于一日內…依據核決權限分送…核決);
the seed gives the approver no limit, so the preset's 1 day for the approval is a labelled example."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kesu.approvals.services import decide_approval
from kesu.deadlines.models import ClockKind, ClockRule, ClockState, StartEvent, Unit
from kesu.deadlines.sweeps import sweep
from tests.decisions.test_wiring import decision, pcb, proposed  # noqa: F401 (pcb: the fixture)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)  # a Tuesday


def at(**delta: float) -> time_machine.travel:
    return time_machine.travel(T0 + timedelta(**delta), tick=False)


def test_pcb_preset_times_the_approval_from_its_request(pcb):  # noqa: F811
    """seed 002 (九)6: one day (example for the approver: the seed gives none), never paused."""
    rules = ClockRule.objects.filter(kind=ClockKind.APPROVAL)
    assert {(r.amount, r.unit, r.start_event, r.pausable) for r in rules} == {
        (1, Unit.CALENDAR_DAYS, StartEvent.APPROVAL_REQUESTED, False)
    }
    assert rules.count() == 2  # domestic and overseas alike
    preset = json.loads((resources.files("kesu.rulebook") / "presets" / "pcb.json").read_text("utf-8"))
    for policy in preset["time_limits"]:
        assert "(九)6" in policy["source"] and "NO time limit to the approver" in policy["source"]


def _requested(pcb, amount: str):  # noqa: F811
    with at():
        complaint = proposed(pcb)
        version = decision(complaint, pcb["qa"], amount)
    clock = complaint.clocks.get(kind=ClockKind.APPROVAL)
    assert (clock.state, clock.started_at, clock.due_at) == (
        ClockState.RUNNING,
        T0,
        T0 + timedelta(days=1),
    )
    return complaint, version, clock


def test_a_waiting_approval_is_reminded_then_escalated_up_the_chain(pcb):  # noqa: F811
    """(十四): overdue work gets the reminder slip (催办單), then the preset's escalation chain
    (department head at the due time, VP 4 h later, GM after 24 h); the decision stops the clock."""
    complaint, version, clock = _requested(pcb, "20000.00")  # the VP decides (example range)
    seen = {}
    for hours in (19.9, 20, 23.9, 24, 28):
        with at(hours=hours):
            result = sweep()
        seen[hours] = (
            [(s.kind, sorted(s.recipients)) for s in result.reminders],
            [(s.kind, s.level, s.role, sorted(s.recipients)) for s in result.escalations],
        )
    assert seen == {
        19.9: ([], []),
        # 4 h before the day is up the reminder slip (催辦單) goes to whoever may decide it now: the
        # VP for 20 000 (the preset's example range), not the desk, which has nothing to do
        20: ([("approval", ["钱副总"])], []),
        23.9: ([], []),
        24: ([], [("approval", 1, "department_head", ["吴经理"])]),  # the responsible department's head
        28: ([], [("approval", 2, "vice_president", ["钱副总"])]),
    }
    assert complaint.events.filter(action="escalated", data__clock="approval").count() == 2

    with at(hours=29):
        decide_approval(approval=version.approval, by=pcb["vp"], approve=True)
    clock.refresh_from_db()
    assert (clock.state, clock.stopped_at) == (ClockState.MET, T0 + timedelta(hours=29))
    assert clock.is_late_at(T0 + timedelta(hours=29))
    with at(hours=48):
        assert sweep().escalations == []  # met: the GM is not told


def test_an_approval_decided_in_time_is_never_chased(pcb):  # noqa: F811
    complaint, version, clock = _requested(pcb, "100.00")  # the sales manager decides
    with at(hours=2):
        decide_approval(approval=version.approval, by=pcb["sales_head"], approve=True)
    clock.refresh_from_db()
    assert clock.state == ClockState.MET and not clock.is_late_at(T0 + timedelta(hours=2))
    with at(hours=20):
        assert sweep().reminders == []
    with at(hours=30):
        assert sweep().escalations == []


def test_a_refused_approval_stops_its_clock_and_the_rework_starts_a_new_one(pcb):  # noqa: F811
    complaint, version, clock = _requested(pcb, "60000.00")  # the GM decides
    with at(hours=3):
        decide_approval(approval=version.approval, by=pcb["gm"], approve=False, reason="金额过高")
    clock.refresh_from_db()
    assert clock.state == ClockState.MET
    from tests.decisions.test_wiring import _act

    with at(hours=5):
        complaint = _act(complaint, "propose_resolution", pcb["qa"], resolution="改为折让")
        decision(complaint, pcb["qa"], "1000.00")
    running = complaint.clocks.get(kind=ClockKind.APPROVAL, state=ClockState.RUNNING)
    assert running.due_at == T0 + timedelta(hours=5, days=1)
