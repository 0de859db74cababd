"""The deadline sweep: reminders (催办) before a clock runs out, escalation after, each sent once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command, get_commands
from django.db import connection
from django.utils import translation

from kesu.complaints import services
from kesu.complaints.models import Category, ComplaintEvent
from kesu.deadlines import clock_actions
from kesu.deadlines.models import ClockKind, ClockState, ComplaintClock
from kesu.deadlines.sweeps import due_for_escalation, due_for_reminder, sweep
from kesu.notifications.models import Notification
from kesu.rulebook.services import apply_preset
from tests.conftest import advance, intake

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday in an ordinary working week.
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


def at(**delta: float) -> time_machine.travel:
    return time_machine.travel(T0 + timedelta(**delta), tick=False)


@pytest.fixture
def telecom(org):
    """The telecom rule book: acknowledge in 2 h (reminder 0.5 h before), reply in 24 h for a
    normal complaint (reminder 4 h before); escalation to the department head at due, the VP after
    4 h, the GM after 24 h."""
    apply_preset(name="telecom")
    return org


@pytest.fixture
def complaint(telecom):
    with time_machine.travel(T0, tick=False):
        return services.register_complaint(
            by=telecom.clerk,
            intake=intake(received_at=T0, category=Category.objects.get(code="service_quality")),
        )


def clock(complaint, kind: str) -> ComplaintClock:
    return complaint.clocks.get(kind=kind)


def notified(kind: str | None = None) -> list[tuple[str, str]]:
    """(recipient, dedup key) of every notification, in a stable order."""
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("recipient__user__username", "dedup_key"))


def system_entries(complaint, action: str) -> list[ComplaintEvent]:
    return list(complaint.events.filter(action=action, actor=None))


def with_email(*staff) -> None:
    for person in staff:
        person.user.email = f"{person.user.username}@example.com"
        person.user.save()


# ---------------------------------------------------------------------------------------------
# Reminders


def test_nothing_is_sent_before_the_reminder_window(complaint):
    # given the acknowledge clock due at 11:00 with a reminder half an hour before
    assert clock(complaint, ClockKind.ACKNOWLEDGE).due_at == T0 + timedelta(hours=2)
    # when the worker sweeps at 10:29
    with at(hours=1, minutes=29):
        result = sweep()
    # then
    assert result.reminders == [] and result.escalations == []
    assert Notification.objects.count() == 0
    assert system_entries(complaint, "reminder") == []


def test_a_reminder_is_sent_once_in_the_window(complaint, telecom, django_capture_on_commit_callbacks):
    # given the complaint is still at the desk, and only the clerk has an e-mail address
    with_email(telecom.clerk)
    ack = clock(complaint, ClockKind.ACKNOWLEDGE)
    version = complaint.version
    # when the worker sweeps at 10:31 and again a minute later
    with at(hours=1, minutes=31), django_capture_on_commit_callbacks(execute=True):
        first = sweep()
    with at(hours=1, minutes=32), django_capture_on_commit_callbacks(execute=True):
        second = sweep()
    # then the desk (clerk and director) was reminded once, by one timeline entry and one e-mail
    assert [(s.clock_id, s.action) for s in first.reminders] == [(ack.pk, "reminder")]
    assert second.reminders == [] and second.escalations == []
    key = f"clock:{ack.pk}:reminder"
    assert notified() == [("clerk", key), ("director", key)]
    (entry,) = system_entries(complaint, "reminder")
    assert entry.data["clock"] == "acknowledge"
    assert datetime.fromisoformat(entry.data["due_at"]) == T0 + timedelta(hours=2)
    assert entry.at == T0 + timedelta(hours=1, minutes=31)
    assert [m.to for m in mail.outbox] == [["clerk@example.com"]]
    assert complaint.number in mail.outbox[0].subject
    # the reminder is not an edit: whoever has the complaint open can still save
    complaint.refresh_from_db()
    assert complaint.version == version
    ack.refresh_from_db()
    assert ack.reminded_at == T0 + timedelta(hours=1, minutes=31)


def test_the_reminder_goes_to_who_must_act(complaint, telecom):
    # given the complaint was sent to production and accepted there, with a handler
    with at(minutes=10):
        complaint = advance(complaint, telecom, "investigating")
    # when the reply clock (24 h, reminder 4 h before) enters its window
    with at(hours=20, minutes=1):
        result = sweep()
    # then the desk is reminded to reply (the acknowledge clock was met, so no reminder for it)
    assert [s.kind for s in result.reminders] == [ClockKind.REPLY]
    assert {r for r, _ in notified(Notification.Kind.REMINDER)} == {"clerk", "director"}
    assert clock(complaint, ClockKind.ACKNOWLEDGE).state == ClockState.MET


def test_the_acknowledge_reminder_goes_to_the_receiving_department(complaint, telecom):
    # given the transfer to production is approved but nobody there has signed yet
    with at(minutes=10):
        complaint = advance(complaint, telecom, "transfer_approved")
    # when
    with at(hours=1, minutes=45):
        sweep()
    # then production's head and handler are reminded, not the desk
    assert {r for r, _ in notified(Notification.Kind.REMINDER)} == {"prodhead", "prodhandler"}


def test_met_cancelled_and_paused_clocks_are_never_reminded(telecom):
    # given three complaints: one accepted (acknowledge met), one withdrawn, and one whose
    # clocks are paused while waiting for the customer (the furniture rule book's pausable clock)
    category = Category.objects.get(code="service_quality")
    with time_machine.travel(T0, tick=False):
        met = services.register_complaint(by=telecom.clerk, intake=intake(received_at=T0, category=category))
        cancelled = services.register_complaint(
            by=telecom.clerk, intake=intake(received_at=T0, category=category)
        )
        advance(met, telecom, "accepted")
        services.withdraw_complaint(complaint=cancelled, by=telecom.clerk, comment="客户撤诉")
    for kind in (ClockKind.ACKNOWLEDGE, ClockKind.REPLY):
        paused = ComplaintClock.objects.filter(complaint=met, kind=kind, state=ClockState.RUNNING)
        paused.update(pausable=True)
    with time_machine.travel(T0, tick=False):
        met.refresh_from_db()
        clock_actions.await_customer(complaint=met, by=telecom.production_handler, comment="等客户寄样品")
    assert set(met.clocks.values_list("kind", "state")) == {
        (ClockKind.ACKNOWLEDGE, ClockState.MET),
        (ClockKind.REPLY, ClockState.PAUSED),
    }
    assert set(cancelled.clocks.values_list("state", flat=True)) == {ClockState.CANCELLED}
    # when the worker sweeps inside every window, and long after every due time
    for hours in (1.75, 21, 30, 60):
        with at(hours=hours):
            result = sweep()
        assert result.reminders == [] and result.escalations == []
    # then
    assert notified(Notification.Kind.REMINDER) == notified(Notification.Kind.ESCALATION) == []
    assert not ComplaintEvent.objects.filter(action__in=["reminder", "escalated"]).exists()


# ---------------------------------------------------------------------------------------------
# Escalation


def test_escalation_climbs_the_chain_once_per_step(complaint, telecom, django_capture_on_commit_callbacks):
    # given the complaint accepted by production (acknowledge met); the reply clock is due at T0+24 h
    with at(minutes=10):
        complaint = advance(complaint, telecom, "accepted")
    reply = clock(complaint, ClockKind.REPLY)
    assert reply.due_at == T0 + timedelta(hours=24)
    with_email(telecom.production_head, telecom.vp, telecom.gm)
    steps = {}
    # when the worker sweeps as time passes
    for hours in (23.99, 24, 24.5, 27.9, 28, 30, 47.9, 48, 72):
        with at(hours=hours), django_capture_on_commit_callbacks(execute=True):
            steps[hours] = [(s.level, s.role) for s in sweep().escalations]
    # then the department head is told at the due time, the VP 4 h later, the GM after 24 h
    assert {h: s for h, s in steps.items() if s} == {
        24: [(1, "department_head")],
        28: [(2, "vice_president")],
        48: [(3, "general_manager")],
    }
    assert notified("escalation") == [
        ("gm", f"clock:{reply.pk}:escalation:3"),
        ("prodhead", f"clock:{reply.pk}:escalation:1"),
        ("vp", f"clock:{reply.pk}:escalation:2"),
    ]
    entries = system_entries(complaint, "escalated")
    assert [(e.data["level"], e.data["role"], e.at) for e in entries] == [
        (1, "department_head", T0 + timedelta(hours=24)),
        (2, "vice_president", T0 + timedelta(hours=28)),
        (3, "general_manager", T0 + timedelta(hours=48)),
    ]
    # (the desk, reminded at T0+20 h, has no e-mail address here)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "gm@example.com",
        "prodhead@example.com",
        "vp@example.com",
    ]
    reply.refresh_from_db()
    assert reply.escalation_level == 3


def test_a_late_sweep_sends_every_step_reached_in_order(complaint, telecom):
    # given the worker was down for two days
    with at(minutes=10):
        complaint = advance(complaint, telecom, "accepted")
    # when it sweeps again
    with at(hours=50):
        result = sweep()
    # then all three steps go out at once, in the chain's order, and the reminder is not sent late
    assert [(s.level, s.role) for s in result.escalations] == [
        (1, "department_head"),
        (2, "vice_president"),
        (3, "general_manager"),
    ]
    assert result.reminders == []
    with at(hours=51):
        assert sweep().escalations == []


def test_a_complaint_still_at_the_desk_escalates_to_the_cs_director(complaint, telecom):
    # given nobody transferred the complaint: the acknowledge clock is overdue at 11:00
    # when
    with at(hours=2):
        result = sweep()
    # then the desk's head (the customer-service director) is the department head told
    assert [(s.kind, s.level) for s in result.escalations] == [(ClockKind.ACKNOWLEDGE, 1)]
    assert [r for r, _ in notified("escalation")] == ["director"]


def test_deputies_of_absent_recipients_are_notified(complaint, telecom):
    # given the production head is on leave, with the quality head as deputy, and the GM is
    # away without a deputy
    head = telecom.production_head
    head.deputy, head.absent_from = telecom.quality_head, T0 - timedelta(days=1)
    head.save()
    telecom.gm.absent_from = T0 - timedelta(days=1)
    telecom.gm.save()
    with at(minutes=10):
        complaint = advance(complaint, telecom, "accepted")
    # when the reply clock escalates to the department head and, later, to the GM
    with at(hours=24):
        sweep()
    with at(hours=48):
        sweep()
    # then the deputy is told alongside the absent head; the GM is told all the same
    reply = clock(complaint, ClockKind.REPLY)
    assert notified("escalation") == [
        ("gm", f"clock:{reply.pk}:escalation:3"),
        ("prodhead", f"clock:{reply.pk}:escalation:1"),
        ("qualityhead", f"clock:{reply.pk}:escalation:1"),
        ("vp", f"clock:{reply.pk}:escalation:2"),
    ]
    # and a deputy whose principal is back is no longer told
    head.absent_until = T0 + timedelta(days=3)
    head.save()
    with at(days=2, hours=1):
        complaint = services.register_complaint(
            by=telecom.clerk,
            intake=intake(
                received_at=T0 + timedelta(days=2, hours=1),
                category=Category.objects.get(code="service_quality"),
            ),
        )
        complaint = advance(complaint, telecom, "accepted")
    with at(days=3, hours=1):
        sweep()
    second = clock(complaint, ClockKind.REPLY)
    assert [
        r
        for r, _ in Notification.objects.filter(dedup_key__startswith=f"clock:{second.pk}:").values_list(
            "recipient__user__username", "dedup_key"
        )
    ] == ["prodhead"]


# ---------------------------------------------------------------------------------------------
# Finding the clocks, the command, the worker


def test_finding_uses_few_queries(telecom, django_assert_max_num_queries):
    # given 30 complaints in their acknowledge reminder window
    category = Category.objects.get(code="service_quality")
    with time_machine.travel(T0, tick=False):
        for _ in range(30):
            services.register_complaint(by=telecom.clerk, intake=intake(received_at=T0, category=category))
    now = T0 + timedelta(hours=1, minutes=45)
    # when / then: one query for the longest lead and one for the batch, whatever the count
    with django_assert_max_num_queries(2):
        assert len(list(due_for_reminder(now=now))) == 30
    with django_assert_max_num_queries(2):
        assert len(list(due_for_escalation(now=now + timedelta(hours=1)))) == 30


@translation.override("en")
def test_the_sweep_command_prints_what_it_sent(complaint):
    out = StringIO()
    with at(hours=1, minutes=40):
        call_command("sweep", "--dry-run", stdout=out)
        dry = out.getvalue()
        assert Notification.objects.count() == 0
        out = StringIO()
        call_command("sweep", stdout=out)
    assert complaint.number in dry and "1 reminders" in dry
    printed = out.getvalue()
    assert complaint.number in printed and "王专员" in printed and "李主任" in printed
    assert "1 reminders, 0 escalations, 2 notifications" in printed
    # a second run sends nothing
    out = StringIO()
    with at(hours=1, minutes=41):
        call_command("sweep", stdout=out)
    assert "0 reminders, 0 escalations, 0 notifications" in out.getvalue()


def test_the_worker_command_runs_the_huey_consumer(monkeypatch):
    # given a consumer that records how it was configured instead of running for ever
    from huey.contrib.djhuey import HUEY

    started = {}

    class FakeConsumer:
        def __init__(self, **config):
            started.update(config)

        def run(self) -> None:
            started["ran"] = True

    monkeypatch.setattr(HUEY, "create_consumer", lambda **config: FakeConsumer(**config))
    assert get_commands()["worker"] == "kesu.operations"
    # when
    call_command("worker", "--workers", "3")
    # then
    assert started["ran"] and started["workers"] == 3 and started["worker_type"] == "thread"
    assert started["periodic"] is True
    call_command("worker", "--no-periodic")
    assert started["periodic"] is False and started["workers"] == 2


def test_the_worker_refuses_zero_workers():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--workers"):
        call_command("worker", "--workers", "0")


def test_the_periodic_tasks_exist_and_sweep(complaint):
    from huey.contrib.djhuey import HUEY

    from kesu.deadlines import tasks

    def due(minute: int) -> set[str]:
        return {task.name for task in HUEY.read_periodic(datetime(2026, 3, 10, 1, minute))}

    # the sweep runs every minute, the e-mail retry every five
    assert due(37) == {"deadlines.sweep"}
    assert due(35) == {"deadlines.sweep", "notifications.resend"}
    # when the task runs (immediately, in the tests)
    with at(hours=1, minutes=40):
        tasks.sweep_deadlines()
    # then it swept (huey keeps no result for periodic tasks: look at what it did)
    assert len(system_entries(complaint, "reminder")) == 1
    assert Notification.objects.filter(kind="reminder").count() == 2


# ---------------------------------------------------------------------------------------------
# Two workers at once


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_once(telecom):
    # given ten complaints in their reminder window
    category = Category.objects.get(code="service_quality")
    with time_machine.travel(T0, tick=False):
        complaints = [
            services.register_complaint(by=telecom.clerk, intake=intake(received_at=T0, category=category))
            for _ in range(10)
        ]
    with_email(telecom.clerk)
    now = T0 + timedelta(hours=1, minutes=45)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(sweep(now=now))
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # when two workers sweep at the same moment
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then each acknowledge clock was reminded exactly once, by one worker or the other
    assert errors == []
    reminded = sorted(s.clock_id for r in results for s in r.reminders)
    acks = sorted(ComplaintClock.objects.filter(kind=ClockKind.ACKNOWLEDGE).values_list("pk", flat=True))
    assert reminded == acks
    assert Notification.objects.filter(kind="reminder").count() == 2 * len(complaints)
    assert ComplaintEvent.objects.filter(action="reminder").count() == len(complaints)
    assert len(mail.outbox) == len(complaints)


@pytest.mark.parametrize(
    "redis_url, expected",
    [
        ("", "huey.SqliteHuey huey.sqlite3"),
        ("redis://127.0.0.1:6379/0", "huey.RedisHuey redis://127.0.0.1:6379/0"),
    ],
)
def test_the_queue_is_sqlite_by_default_and_redis_when_configured(redis_url, expected, tmp_path):
    import subprocess
    import sys

    probe = (
        "import kesu.settings as s; from pathlib import Path; "
        "print(s.HUEY['huey_class'], Path(s.HUEY.get('filename', '')).name or s.HUEY['url'])"
    )
    env = {"PATH": "/usr/bin:/bin", "KESU_SECRET_KEY": "k" * 60, "KESU_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "KESU_REDIS_URL": redis_url},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == expected, result.stderr
    refused = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "KESU_REDIS_URL": "127.0.0.1:6379"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "KESU_REDIS_URL" in refused.stderr
