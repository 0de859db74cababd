"""A varied complaint history (October–November 2026, furniture rule book) for the statistics tests,
and a plain, slow computation of every figure in Python over the same rows to compare with."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kesu.archive.models import CustomerArchive, CustomerClass
from kesu.complaints import services
from kesu.complaints.models import TERMINAL_STATUSES, Category, Complaint, Severity, Status
from kesu.customers.models import Customer, Product
from kesu.deadlines.models import ClockState
from kesu.decisions.models import (
    Cause,
    Decision,
    DecisionVersion,
    PartyKind,
    ResponsibilityShare,
    VersionStatus,
)
from tests.api.conftest import client_for, token_for  # noqa: F401 (the API tests' fixtures)
from tests.conftest import advance, local

REPLY_ACTIONS = ("reply_to_customer", "answer_on_spot")
NOW = local(2026, 12, 2, 10)


def _decide(
    complaint: Complaint, org, *, number: int, cause: Cause, loss: str, status: str, at: datetime, shares
):
    decision, _created = Decision.objects.get_or_create(complaint=complaint)
    version = DecisionVersion.objects.create(
        decision=decision,
        number=number,
        status=status,
        cause=cause,
        loss_amount=Decimal(loss),
        compensation=Decimal("100.00"),
        proposed_by=org.production_handler,
        proposed_at=at - timedelta(hours=1),
        decided_at=at if status in (VersionStatus.APPROVED, VersionStatus.REFUSED) else None,
    )
    for position, (party, value, share) in enumerate(shares):
        fields = {"department": value} if party == PartyKind.DEPARTMENT else {"name": value}
        ResponsibilityShare.objects.create(
            version=version, position=position, party=party, share=Decimal(share), **fields
        )
    return version


@pytest.fixture
def history(org, register):
    """Ten complaints over October and November 2026 in several states, classes, channels and
    for two customers; approved, refused and reworked decisions; one secondary complaint."""
    grievance = Category.objects.get(code="grievance")
    serious = Severity.objects.exclude(code="normal").first() or Severity.objects.get(code="normal")
    acme = Customer.objects.create(code="C1", name="宏达家具城")
    lin = Customer.objects.create(code="C2", name="林女士", kind=Customer.Kind.PERSON)
    made: list[Complaint] = []
    with time_machine.travel(local(2026, 10, 9, 9), tick=False):
        october = advance(register(received_at=local(2026, 10, 9, 8), customer=acme), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 10, 20, 9), tick=False):
        october = advance(october, org, Status.FOLLOWED_UP)  # its resolution came late
        made.append(services.close_complaint(complaint=october, by=org.clerk, late_reason="配件缺货"))
    with time_machine.travel(local(2026, 10, 30, 16), tick=False):
        late_october = register(received_at=local(2026, 10, 30, 15), channel="email", customer=lin)
        made.append(advance(late_october, org, Status.ACCEPTED))  # open, resolution overdue since
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        quick = advance(register(received_at=local(2026, 11, 2, 8), customer=acme), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 3, 9), tick=False):
        made.append(advance(quick, org, Status.CLOSED))
    with time_machine.travel(local(2026, 11, 4, 10), tick=False):
        spot = register(received_at=local(2026, 11, 4, 9, 30), category=grievance, channel="letter")
        made.append(services.answer_on_spot(complaint=spot, by=org.clerk, reply="已解释退换政策"))
        made.append(register(received_at=local(2026, 11, 4, 9), severity=serious, channel="in_person"))
    with time_machine.travel(local(2026, 11, 10, 9), tick=False):
        replied = advance(register(received_at=local(2026, 11, 9, 14), customer=lin), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 11, 15), tick=False):
        made.append(advance(replied, org, Status.REPLIED))
    with time_machine.travel(local(2026, 11, 12, 11), tick=False):
        withdrawn = register(received_at=local(2026, 11, 12, 10), customer=acme)
        made.append(services.withdraw_complaint(complaint=withdrawn, by=org.clerk, comment="客户撤诉"))
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        second = services.file_secondary_complaint(
            complaint=made[2],
            by=org.clerk,
            description="维修后再次开裂",
            received_at=local(2026, 11, 16, 8),
            channel="phone",
        )
        made.append(second)
        made.append(
            advance(register(received_at=local(2026, 11, 16, 8, 30), channel="web"), org, Status.ACCEPTED)
        )
    with time_machine.travel(local(2026, 11, 30, 23), tick=False):
        made.append(register(received_at=local(2026, 11, 30, 22, 30)))  # the last evening of the month
    # Handling decisions (by the ORM: the statistics read what is stored)
    quality = Cause.objects.create(code="stat-defect", name="质量缺陷", upheld=True)
    misuse = Cause.objects.create(code="stat-misuse", name="使用不当", upheld=False)
    _decide(
        made[0],
        org,
        number=1,
        cause=quality,
        loss="1000.00",
        status=VersionStatus.APPROVED,
        at=local(2026, 10, 19, 10),
        shares=[(PartyKind.DEPARTMENT, org.production, "60"), (PartyKind.CARRIER, "顺丰物流", "40")],
    )
    _decide(
        made[2],
        org,
        number=1,
        cause=quality,
        loss="500.00",
        status=VersionStatus.APPROVED,
        at=local(2026, 11, 2, 15),
        shares=[(PartyKind.DEPARTMENT, org.production, "100")],
    )
    # reworked: version 2 (approved later, not upheld) replaces version 1 in the figures
    _decide(
        made[2],
        org,
        number=2,
        cause=misuse,
        loss="200.00",
        status=VersionStatus.APPROVED,
        at=local(2026, 11, 3, 8),
        shares=[(PartyKind.CUSTOMER, "宏达家具城", "100")],
    )
    _decide(
        made[5],
        org,
        number=1,
        cause=quality,
        loss="800.00",
        status=VersionStatus.REFUSED,
        at=local(2026, 11, 11, 10),
        shares=[(PartyKind.DEPARTMENT, org.production, "100")],
    )
    _decide(
        made[5],
        org,
        number=2,
        cause=quality,
        loss="300.00",
        status=VersionStatus.APPROVED,
        at=local(2026, 11, 11, 12),
        shares=[(PartyKind.DEPARTMENT, org.production, "50"), (PartyKind.DEPARTMENT, org.quality, "50")],
    )
    # Products, batches and regions (by the ORM: the statistics read what is stored), and a
    # satisfaction of each kind among the closed complaints
    chair = Product.objects.create(model_code="YZ-01", name="餐椅")
    sofa = Product.objects.create(model_code="SF-02", name="布艺沙发")
    Customer.objects.filter(pk=acme.pk).update(region="华东")
    key_account = CustomerClass.objects.create(scheme="class", code="stat-key", name="重点客户")
    CustomerArchive.objects.create(customer=acme, number="KH-1", kind="company", customer_class=key_account)
    CustomerArchive.objects.create(customer=lin, number="KH-2", kind="person")  # no class
    for complaint, product, batch in [
        (made[0], chair, "B2610"),
        (made[2], chair, "B2611"),
        (made[3], sofa, "B2611"),
        (made[5], chair, "B2611"),
        (made[8], sofa, ""),
    ]:
        Complaint.objects.filter(pk=complaint.pk).update(product=product, batch_number=batch)
    closed = [c for c in made if c.status == Status.CLOSED]
    for complaint, given in zip(closed, ["unsatisfied", "neutral", "very_satisfied"], strict=False):
        Complaint.objects.filter(pk=complaint.pk).update(satisfaction=given)
    return made


# ---------------------------------------------------------------------------------------------
# The slow computation: every complaint, clock, event and decision read into Python


@dataclass
class Slow:
    received: int = 0
    open: int = 0
    overdue: int = 0
    secondary: int = 0
    closed: int = 0
    satisfied: int = 0
    neutral: int = 0
    unsatisfied: int = 0
    upheld: int = 0
    not_upheld: int = 0
    loss_amount: Decimal = Decimal("0.00")
    compensation: Decimal = Decimal("0.00")
    handling: list[float] = field(default_factory=list)
    clocks: dict[str, list[int]] = field(default_factory=dict)  # kind → [due, on_time]
    numbers: dict[str, set[str]] = field(default_factory=dict)  # measure → complaint numbers


def _month(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m}"


def _customer_class(complaint: Complaint) -> int | None:
    archive = CustomerArchive.objects.filter(customer_id=complaint.customer_id).first()
    return archive.customer_class_id if archive else None


def slow_key(by: str, complaint: Complaint, moment: datetime) -> str:
    if by == "month":
        return _month(moment)
    value = {
        "category": complaint.category_id,
        "severity": complaint.severity_id,
        "channel": complaint.channel,
        "department": complaint.handling_department_id,
        "customer": complaint.customer_id,
        "product": complaint.product_id,
        "batch": complaint.batch_number or None,
        "region": (complaint.customer.region or None) if complaint.customer else None,
        "customer_class": _customer_class(complaint),
    }[by]
    return "none" if value is None else str(value)


def slow_statistics(by: str, since: date, until: date, complaints, now: datetime) -> dict[str, Slow]:
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), datetime.min.time()))
    rows: dict[str, Slow] = {}

    def row(key: str) -> Slow:
        return rows.setdefault(key, Slow())

    def mark(key: str, measure: str, complaint: Complaint) -> None:
        row(key).numbers.setdefault(measure, set()).add(complaint.number)

    for complaint in complaints.select_related("customer"):
        clocks = list(complaint.clocks.all())
        if start <= complaint.received_at < end:
            key = slow_key(by, complaint, complaint.received_at)
            row(key).received += 1
            mark(key, "received", complaint)
            if complaint.status not in TERMINAL_STATUSES:
                row(key).open += 1
                mark(key, "open", complaint)
                if any(c.state == ClockState.RUNNING and c.due_at and c.due_at < now for c in clocks):
                    row(key).overdue += 1
                    mark(key, "overdue", complaint)
            if complaint.parent_id is not None:
                row(key).secondary += 1
                mark(key, "secondary", complaint)
        if complaint.status == Status.CLOSED and complaint.closed_at and start <= complaint.closed_at < end:
            key = slow_key(by, complaint, complaint.closed_at)
            row(key).closed += 1
            mark(key, "closed", complaint)
            given = {
                "very_satisfied": "satisfied",
                "satisfied": "satisfied",
                "neutral": "neutral",
                "unsatisfied": "unsatisfied",
                "very_unsatisfied": "unsatisfied",
            }.get(complaint.satisfaction)
            if given:
                setattr(row(key), given, getattr(row(key), given) + 1)
                mark(key, given, complaint)
        approved = [
            v
            for v in DecisionVersion.objects.filter(decision__complaint=complaint)
            if v.status == VersionStatus.APPROVED
        ]
        if approved:
            latest = max(approved, key=lambda v: v.number)
            if start <= latest.decided_at < end:
                key = slow_key(by, complaint, latest.decided_at)
                measure = "upheld" if latest.cause.upheld else "not_upheld"
                setattr(row(key), measure, getattr(row(key), measure) + 1)
                mark(key, measure, complaint)
                row(key).loss_amount += latest.loss_amount
                row(key).compensation += latest.compensation
        replies = [e for e in complaint.events.all() if e.action in REPLY_ACTIONS]
        if replies:
            final = max(replies, key=lambda e: (e.at, e.pk))
            if start <= final.at < end:
                key = slow_key(by, complaint, final.at)
                row(key).handling.append((final.at - complaint.received_at).total_seconds() / 3600)
                mark(key, "replied", complaint)
        for clock in clocks:
            if clock.due_at is None or not start <= clock.due_at < end:
                continue
            came_due = clock.state == ClockState.MET or (
                clock.state == ClockState.RUNNING and clock.due_at < now
            )
            if not came_due:
                continue
            key = slow_key(by, complaint, clock.due_at)
            figure = row(key).clocks.setdefault(clock.kind, [0, 0])
            figure[0] += 1
            mark(key, f"due:{clock.kind}", complaint)
            if clock.state == ClockState.MET and clock.stopped_at <= clock.due_at:
                figure[1] += 1
                mark(key, f"on_time:{clock.kind}", complaint)
            else:
                mark(key, f"late:{clock.kind}", complaint)
    return rows


def nearest_rank(values: list[float], percentile: int) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(percentile * len(ordered) / 100) - 1]
