"""The demo company (`kesu demo`): a realistic company loaded through the services, once."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from kesu.complaints.models import Category, Complaint, ComplaintEvent, Severity, Status
from kesu.operations import demo
from kesu.operations.management.commands import demo as demo_command
from kesu.operations.management.commands import serve as serve_command
from kesu.organization.models import Department, Role, Staff
from kesu.rulebook.models import NumberCounter, RuleBook
from kesu.rulebook.numbering import format_number, period_key
from kesu.rulebook.services import apply_preset

pytestmark = pytest.mark.django_db


@pytest.fixture
def static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.STATIC_ROOT


def test_demo_company_has_every_role_status_class_and_severity():
    # when
    result = demo.load_demo(complaints=40, seed=7)

    # then: staff in every role, the admin can use the Django admin
    assert result.created and result.complaints == Complaint.objects.count() == 40
    roles = {r for s in Staff.objects.prefetch_related("role_assignments") for r in s.roles}
    assert roles == set(Role.values)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(demo.DEMO_PASSWORD)
    assert Staff.objects.get(user__username="director").deputy is not None
    assert Department.objects.get(code="woodshop").parent.code == "production"
    assert Department.objects.get(is_customer_service=True).name == "客服部"
    # every state, every (leaf) class and severity
    assert set(Complaint.objects.values_list("status", flat=True)) == set(Status.values)
    leaves = set(
        Category.objects.filter(is_active=True, children__isnull=True).values_list("code", flat=True)
    )
    assert leaves <= set(Complaint.objects.values_list("category__code", flat=True))
    assert set(Complaint.objects.values_list("severity__code", flat=True)) == set(
        Severity.objects.values_list("code", flat=True)
    )
    # secondary complaints, people complained about, old complaints still open
    assert Complaint.objects.filter(parent__isnull=False).exists()
    assert Complaint.objects.filter(accused_staff__isnull=False).exists()
    assert Complaint.objects.open().filter(received_at__lt=timezone.now() - timedelta(days=20)).exists()
    assert Complaint.objects.filter(events__action="answer_on_spot").exists()


def test_demo_numbers_are_gap_free_and_timelines_real():
    # when
    demo.load_demo(complaints=40, seed=3)

    # then: the k-th complaint of a period carries sequence k, and the counter stops at the last
    rulebook = RuleBook.current()
    per_period: dict[str, int] = defaultdict(int)
    for complaint in Complaint.objects.order_by("registered_at", "id"):
        day = timezone.localdate(complaint.registered_at)
        period = f"{rulebook.numbering_reset}:{period_key(rulebook.numbering_reset, day)}"
        per_period[period] += 1
        assert complaint.number == format_number(rulebook.numbering_pattern, day, per_period[period])
    # (the customer archive counts its own numbers in the same table, under "archive:…")
    counters = dict(
        NumberCounter.objects.exclude(period__startswith="archive:").values_list("period", "last_value")
    )
    assert counters == per_period
    from kesu.archive.models import CustomerArchive

    archives = NumberCounter.objects.filter(period__startswith="archive:").values_list(
        "last_value", flat=True
    )
    assert sum(archives) == CustomerArchive.objects.count() == 40

    # and the timelines are in the past and end in the complaint's current status
    now = timezone.now()
    assert not ComplaintEvent.objects.filter(at__gt=now).exists()
    for complaint in Complaint.objects.prefetch_related("events"):
        events = sorted(complaint.events.all(), key=lambda e: (e.at, e.id))
        assert events[0].action == "registered"
        assert complaint.received_at <= complaint.registered_at == events[0].at
        assert events[-1].to_status == complaint.status, complaint.number
        assert (complaint.closed_at is not None) == (not complaint.is_open)
    # not all on one day: the demo spans months
    spread = Complaint.objects.order_by("received_at")
    assert spread.last().received_at - spread.first().received_at > timedelta(days=30)


def test_loading_twice_reuses_the_demo():
    # given
    first = demo.load_demo(complaints=20, seed=1)

    # when
    second = demo.load_demo(complaints=20, seed=1)

    # then
    assert first.created and not second.created
    assert Complaint.objects.count() == 20
    assert Staff.objects.filter(user__username="clerk").count() == 1
    assert [login.username for login in second.logins] == [login.username for login in first.logins]


def test_demo_refuses_a_database_with_another_company(org):
    with pytest.raises(demo.DemoConflict):
        demo.load_demo(complaints=10)
    assert not Complaint.objects.exists()


def test_demo_refuses_a_database_whose_users_would_clash():
    # given: someone ran `kesu createsuperuser` with a name the demo uses
    get_user_model().objects.create_superuser(username="admin", password="x")

    with pytest.raises(demo.DemoConflict):
        demo.load_demo(complaints=10)
    assert not Staff.objects.exists()


def test_demo_follows_the_loaded_rule_book():
    # given: the PCB maker's rule book (quality / non-quality classes, monthly numbers)
    apply_preset(name="pcb")

    # when
    demo.load_demo(complaints=30, seed=5)

    # then
    leaves = set(
        Category.objects.filter(is_active=True, children__isnull=True).values_list("code", flat=True)
    )
    assert leaves <= set(Complaint.objects.values_list("category__code", flat=True))
    # YYMM and a 2-digit monthly serial (seed 002 (八)); 30 complaints never pass 99 in a month
    assert all(len(number) == 6 for number in Complaint.objects.values_list("number", flat=True))


def test_demo_command_prints_the_log_ins_and_reuses_the_demo(static_root, capsys):
    # when
    call_command("demo", "--no-serve", "--complaints", "15")
    first = capsys.readouterr().out
    call_command("demo", "--no-serve", "--complaints", "15")
    second = capsys.readouterr().out

    # then
    assert demo.DEMO_PASSWORD in first
    for username in ["clerk", "director", "gm", "vp", "prodhead", "auditor", "admin"]:
        assert username in first
    assert "15" in first and "15" in second
    assert Complaint.objects.count() == 15
    assert (static_root / "admin" / "css" / "base.css").is_file()  # collected for whitenoise


class FakeProcess:
    pid = 4242


def test_demo_command_without_worker_starts_only_the_server(static_root, monkeypatch):
    started, workers = [], []
    monkeypatch.setattr(serve_command, "exec_server", lambda argv, env: started.append(argv))
    monkeypatch.setattr(demo_command, "start_worker", lambda: workers.append(1) or FakeProcess())

    call_command("demo", "--complaints", "3", "--no-worker")

    assert len(started) == 1 and workers == []


def test_demo_command_then_serves_on_the_given_port(static_root, monkeypatch, capsys):
    # given: do not really become gunicorn
    started = []
    monkeypatch.setattr(serve_command, "exec_server", lambda argv, env: started.append(argv))
    workers = []
    monkeypatch.setattr(demo_command, "start_worker", lambda: workers.append(1) or FakeProcess())

    # when
    call_command("demo", "--complaints", "12", "--port", "8011", "--workers", "3")

    # then: the worker started, then the server
    assert workers == [1]
    argv = started[0]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8011"
    assert argv[argv.index("--workers") + 1] == "3"
    assert "http://127.0.0.1:8011/" in capsys.readouterr().out


def test_demo_command_refuses_a_database_with_another_company(org, static_root):
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--complaints", "5")
    assert not Complaint.objects.exists()


def test_the_demo_history_fills_the_notification_centre_without_mailing_it(
    django_capture_on_commit_callbacks,
):
    """Hand-overs played while loading are in the centres (the GM has transfers to approve), but
    the commit e-mails none of them: the demo's e-mails are the ones its visitors cause."""
    from django.core import mail

    from kesu.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        demo.load_demo(complaints=40, seed=7)

    assert Notification.objects.filter(kind=Notification.Kind.HANDOVER).exists()
    assert Notification.objects.filter(recipient__user__username="gm").exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert mail.outbox == []
