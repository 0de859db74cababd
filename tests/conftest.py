"""Shared test data: a small company with one person per role (personas), and complaint helpers."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from kesu.complaints import services
from kesu.complaints.models import Category, Complaint, Severity, Status
from kesu.complaints.procedures import rules_for
from kesu.organization.models import Department, Position, Role, RoleAssignment, Staff


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never reach beyond this machine."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in {"127.0.0.1", "localhost", "::1"}
            and not host.startswith("/")
        ):
            raise OSError(f"network blocked in tests: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _rule_book_read_afresh():
    """Each test starts without the rule-book data an earlier test's process kept: a test that
    edits it in bulk (``.update()``, as another process would) and is rolled back leaves the
    revision token as it found it (kesu.rulebook.cache)."""
    from kesu.rulebook import cache

    cache.forget()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: Django's LocaleMiddleware activates a request's
    language for the thread and never deactivates it, so an English request in one test would
    otherwise leave the next test (and what it renders) in English."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _attachments_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }


def make_staff(
    username: str, name: str, department: Department, *roles: str, position: Position | None = None
) -> Staff:
    user = get_user_model().objects.create_user(username=username, password="pass-" + username)
    staff = Staff.objects.create(user=user, display_name=name, department=department, position=position)
    RoleAssignment.objects.bulk_create([RoleAssignment(staff=staff, role=r) for r in roles])
    return staff


@dataclass
class Org:
    cs: Department
    production: Department
    quality: Department
    sales: Department
    production_manager: Position
    clerk: Staff
    director: Staff
    gm: Staff
    vp: Staff
    production_head: Staff
    production_handler: Staff
    quality_head: Staff
    auditor: Staff
    admin: Staff
    outsider: Staff


@pytest.fixture
def org(db) -> Org:
    cs = Department.objects.create(name="客服部", code="cs", is_customer_service=True)
    office = Department.objects.create(name="总经办", code="gm-office")
    production = Department.objects.create(name="生产部", code="production")
    quality = Department.objects.create(name="质量部", code="quality")
    sales = Department.objects.create(name="销售部", code="sales")
    production_manager = Position.objects.create(name="生产经理", department=production)
    clerk = make_staff("clerk", "王专员", cs, Role.DESK_CLERK)
    director = make_staff("director", "李主任", cs, Role.CS_DIRECTOR)
    director.deputy = clerk
    director.save()
    return Org(
        cs=cs,
        production=production,
        quality=quality,
        sales=sales,
        production_manager=production_manager,
        clerk=clerk,
        director=director,
        gm=make_staff("gm", "赵总", office, Role.GENERAL_MANAGER),
        vp=make_staff("vp", "钱副总", office, Role.VICE_PRESIDENT),
        production_head=make_staff(
            "prodhead", "孙经理", production, Role.DEPARTMENT_HEAD, position=production_manager
        ),
        production_handler=make_staff("prodhandler", "周师傅", production, Role.HANDLER),
        quality_head=make_staff("qualityhead", "吴经理", quality, Role.DEPARTMENT_HEAD),
        auditor=make_staff("auditor", "郑审计", office, Role.AUDITOR),
        admin=make_staff("admin", "冯管理员", office, Role.ADMINISTRATOR),
        outsider=make_staff("outsider", "陈销售", sales),
    )


def intake(**overrides) -> services.Intake:
    fields = {
        "channel": "phone",
        "received_at": timezone.now() - timedelta(hours=1),
        "complainant_name": "刘先生",
        "complainant_phone": "13800000000",
        "description": "沙发扶手开裂，要求更换。",
        "category": Category.objects.get(code="product_quality"),
        "severity": Severity.objects.get(code="normal"),
    }
    fields.update(overrides)
    return services.Intake(**fields)


@pytest.fixture
def register(org):
    def _register(by: Staff | None = None, **overrides) -> Complaint:
        return services.register_complaint(by=by or org.clerk, intake=intake(**overrides))

    return _register


def _approved(complaint: Complaint, org: Org) -> Complaint:
    """The decision approved first where the complaint's procedure requires it."""
    if complaint.status == Status.RESOLUTION_PROPOSED and rules_for(complaint).requires("approve_resolution"):
        from kesu.decisions.wiring import decided_by_amount

        if decided_by_amount(complaint):
            return approve_by_amount(complaint, by=complaint.handler or org.production_head)
        return services.approve_resolution(complaint=complaint, by=org.gm)
    return complaint


def approve_by_amount(complaint: Complaint, *, by: Staff, compensation: str = "0.00") -> Complaint:
    """Where the decision's approval by amount decides the approve step (kesu.decisions.wiring):
    propose the handling decision (the responsible department bears it all) and let the first
    person who may decide approve it."""
    from decimal import Decimal

    from kesu.approvals.authority import approvers_now
    from kesu.approvals.services import decide_approval
    from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision

    version = propose_decision(
        complaint=complaint,
        by=by,
        cause="quality_defect",
        shares=[ShareIn(party="department", department=complaint.handling_department.code, share="100")],
        remedies=[RemedyIn(kind="repair", quantity=1)],
        money=MoneyIn(compensation=Decimal(compensation)),
    )
    assert version.approval is not None
    decide_approval(approval=version.approval, by=approvers_now(version.approval)[0], approve=True)
    return Complaint.objects.get(pk=complaint.pk)


def _delivered(complaint: Complaint, org: Org) -> Complaint:
    """A quality complaint is visited after the repaired goods are delivered (seed 000 furniture 4.4
    1): record the delivery first where the rule book's visit counts from it."""
    from kesu.deadlines.clock_actions import record_delivery
    from kesu.deadlines.models import StartEvent
    from kesu.deadlines.policies import rules_for

    rule = rules_for(complaint).get("follow_up")
    if rule is None or rule.start_event != StartEvent.GOODS_DELIVERED:
        return complaint
    if complaint.events.filter(action="record_delivery").exists():
        return complaint
    return record_delivery(complaint=complaint, by=org.clerk)


def _desk_or_team(complaint: Complaint, action: str, org: Org) -> Staff:
    """The desk, or the responsible department where the procedure gives it the step (telecom:
    the maintenance team replies to the ticket and visits the customer, seed 000 第二篇 二.1, 二.6)."""
    takers = rules_for(complaint).takers_of(action)
    return (
        org.clerk if not takers or any(t.role == Role.DESK_CLERK for t in takers) else org.production_handler
    )


def advance(complaint: Complaint, org: Org, to: str) -> Complaint:
    """Walk a complaint along the main path until it reaches status ``to``. The steps its
    procedure skips (no transfer approval, no follow-up visit) are skipped here too."""
    steps = [
        (
            Status.TRANSFER_PROPOSED,
            lambda c: services.propose_transfer(
                complaint=c,
                by=org.clerk,
                to_department=org.production,
                to_position=org.production_manager,
                reason="质量问题，转生产部",
            ),
        ),
        (Status.TRANSFER_APPROVED, lambda c: services.approve_transfer(complaint=c, by=org.gm)),
        (
            Status.ACCEPTED,
            lambda c: services.accept_transfer(
                complaint=c, by=org.production_head, handler=org.production_handler
            ),
        ),
        (
            Status.INVESTIGATING,
            lambda c: services.start_investigation(complaint=c, by=org.production_handler),
        ),
        (
            Status.RESOLUTION_PROPOSED,
            lambda c: services.propose_resolution(
                complaint=c, by=org.production_handler, resolution="上门维修并更换扶手"
            ),
        ),
        (
            Status.REPLIED,
            lambda c: services.reply_to_customer(
                complaint=_approved(c, org),
                by=_desk_or_team(c, "reply_to_customer", org),
                reply="已安排维修",
                channel="phone",
                satisfaction="satisfied",
            ),
        ),
        (
            Status.FOLLOWED_UP,
            lambda c: services.record_follow_up(
                complaint=_delivered(c, org),
                by=_desk_or_team(c, "record_follow_up", org),
                comment="客户满意",
                satisfaction="very_satisfied",
            ),
        ),
        (Status.CLOSED, lambda c: services.close_complaint(complaint=c, by=org.clerk)),
    ]
    path = [Status.CLASSIFIED] + [status for status, _step in steps]
    start = path.index(complaint.status)  # continue from where the complaint is
    for status, step in steps[start:]:
        if complaint.status == to:
            break
        if complaint.status in path and path.index(complaint.status) >= path.index(status):
            continue  # the procedure went past this status (a transfer needing no approval)
        if status == Status.FOLLOWED_UP and not rules_for(complaint).lists("record_follow_up"):
            continue  # closed straight after the reply
        complaint = step(complaint)
        assert complaint.status == status or (
            status == Status.TRANSFER_PROPOSED and complaint.status == Status.TRANSFER_APPROVED
        )
    assert complaint.status == to, f"could not reach {to}"
    return complaint


SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    """A moment in the company's time zone (the tests' calendar dates are Chinese working days)."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture
def accepted(org, register):
    """A quality complaint accepted by production on Monday 2026-11-16 at 10:00: the furniture
    preset's resolution clock (2 working days) is due Wednesday 2026-11-18 17:30."""
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = register(received_at=local(2026, 11, 16, 8, 30))
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        return advance(complaint, org, Status.ACCEPTED)


@pytest.fixture
def november(org, register):
    """Two quality complaints closed in November 2026: one on time after 25 hours, one with a late
    resolution after 168 hours (late reason 配件缺货). November's average: 96.5 hours."""
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        on_time = advance(register(received_at=local(2026, 11, 2, 8)), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 3, 9), tick=False):
        advance(on_time, org, Status.CLOSED)
    with time_machine.travel(local(2026, 11, 9, 9), tick=False):
        late = advance(register(received_at=local(2026, 11, 9, 9)), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        late = advance(late, org, Status.FOLLOWED_UP)
        services.close_complaint(complaint=late, by=org.clerk, late_reason="配件缺货")
