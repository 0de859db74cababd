"""§4 cost figures: the database's grouped sums against a plain, slow computation over every
complaint's own ledger (kesu.decisions.selectors, kesu.decisions.split), to the fen."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from kesu.complaints.models import Category, Complaint
from kesu.complaints.selectors import complaints_visible_to
from kesu.complaints.services import register_complaint
from kesu.customers.models import Customer, Product
from kesu.decisions.models import DecisionVersion, PartyKind, VersionStatus
from kesu.decisions.selectors import ledger_of
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn
from kesu.fulfilment.models import CreditNote, CreditStatus, ReturnSlip
from kesu.fulfilment.selectors import cost_figures
from tests.conftest import intake, local
from tests.decisions.conftest import propose
from tests.fulfilment.conftest import act

pytestmark = pytest.mark.django_db

SPLITS = [
    [("production", "70.00"), ("customer", "30.00")],
    [("production", "33.33"), ("quality", "33.33"), ("customer", "33.34")],
    [("quality", "100.00")],
    [("production", "12.50"), ("staff", "50.00"), ("carrier", "37.50")],
]


def _shares(split):
    shares = []
    for party, share in split:
        if party in ("production", "quality"):
            shares.append(ShareIn(party="department", department=party, share=share))
        elif party == "staff":
            shares.append(ShareIn(party="staff", staff="qualityhead", share=share))
        elif party == "carrier":
            shares.append(ShareIn(party="carrier", name="顺丰", share=share))
        else:
            shares.append(ShareIn(party="customer", name="客户", share=share))
    return shares


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(0, 200_000)) / 100


@pytest.fixture
def month_of_complaints(furniture):
    """Twelve furniture complaints received in November 2026 (and two in October), with decisions
    approved, refused or pending, returns and credit notes."""
    from kesu.approvals.services import decide_approval

    org = furniture
    rng = random.Random(9)
    customers = [Customer.objects.create(code=f"C{i}", name=f"客户{i}") for i in range(3)]
    products = [Product.objects.create(model_code=f"M{i}", name=f"沙发{i}") for i in range(2)]
    classes = list(Category.objects.filter(code__in=["product_quality", "grievance", "suggestion"]))
    made = []
    for i in range(14):
        received = local(2026, 10 if i >= 12 else 11, 1 + i, 10)
        with time_machine.travel(received, tick=False):
            complaint = register_complaint(
                by=org.clerk,
                intake=intake(
                    received_at=received,
                    category=classes[i % len(classes)],
                    customer=customers[i % 3] if i % 4 else None,
                    product=products[i % 2],
                ),
            )
            from kesu.complaints.models import Status
            from tests.conftest import advance

            complaint = advance(complaint, org, Status.RESOLUTION_PROPOSED)
            if i % 5 == 4:
                made.append(complaint)
                continue  # no decision at all
            version = propose(
                org,
                complaint,
                cause=["quality_defect", "not_upheld", "misuse", "carrier_damage"][i % 4],
                shares=_shares(SPLITS[i % len(SPLITS)]),
                remedies=[RemedyIn(kind="repair", quantity=1)],
                money=MoneyIn(
                    loss_amount=_amount(rng),
                    repair_budget=_amount(rng),
                    compensation=_amount(rng),
                    freight=_amount(rng),
                ),
            )
            if version.approval is not None and i % 7 != 6:  # one stays waiting
                decide_approval(approval=version.approval, by=org.gm, approve=i != 9, reason="不同意")
            complaint = act(
                complaint,
                "open_return_slip",
                org.clerk,
                reason="退货",
                approved_quantity=10,
                unit_price="3.33",
            )
            slip = ReturnSlip.objects.filter(complaint=complaint).latest("pk")
            if i % 2:
                complaint = act(
                    complaint, "receive_return", org.clerk, return_slip=slip.pk, returned_quantity=i
                )
            complaint = act(complaint, "issue_credit_note", org.clerk, kind="allowance", amount=f"{i}.01")
            made.append(complaint)
    return made


def _slow(month: date, by: str) -> dict[str, dict]:
    """Complaint by complaint, in Python: the figures as a person would add them up."""
    rows: dict[str, dict] = defaultdict(
        lambda: {
            "upheld": 0,
            "not_upheld": 0,
            "loss": Decimal("0"),
            "borne": defaultdict(Decimal),
            "returns": Decimal("0"),
            "credits": Decimal("0"),
        }
    )
    for complaint in Complaint.objects.select_related("category", "product", "customer"):
        received = complaint.received_at.astimezone(local(2026, 1, 1).tzinfo).date()
        if received.replace(day=1) != month:
            continue
        approved = [
            v
            for v in DecisionVersion.objects.filter(
                decision__complaint=complaint, status=VersionStatus.APPROVED
            )
            .select_related("cause")
            .order_by("number")
        ]
        version = approved[-1] if approved else None
        returns = sum(
            (r.amount for r in ReturnSlip.objects.filter(complaint=complaint, received_at__isnull=False)),
            Decimal("0"),
        )
        credits = sum(
            (n.amount for n in CreditNote.objects.filter(complaint=complaint, status=CreditStatus.APPROVED)),
            Decimal("0"),
        )
        parts = []
        if version is not None:
            for line in ledger_of(version):
                for share, amount in line.parts:
                    if not amount:
                        continue
                    if share.party == PartyKind.DEPARTMENT:
                        column = share.department.name
                    elif share.party == PartyKind.STAFF:
                        column = share.staff.department.name
                    else:
                        column = str(PartyKind(share.party).label)
                    parts.append((column, line.line, amount))
        keys = (
            [c for c, _line, _a in parts]
            if by == "party"
            else [
                {
                    "category": complaint.category and complaint.category.name,
                    "customer": complaint.customer and complaint.customer.name,
                    "product": complaint.product and complaint.product.name,
                }[by]
                or "—"
            ]
        )
        if by != "party":
            row = rows[keys[0]]
            if version is not None:
                row["upheld" if version.cause.upheld else "not_upheld"] += 1
                row["loss"] += version.loss_amount
            row["returns"] += returns
            row["credits"] += credits
            for column, _line, amount in parts:
                row["borne"][column] += amount
        else:
            for column in set(keys):
                rows[column]["upheld" if version.cause.upheld else "not_upheld"] += 1
            for column, line, amount in parts:
                rows[column]["borne"][column] += amount
                if line == "loss_amount":
                    rows[column]["loss"] += amount
    return rows


@pytest.mark.parametrize("by", ["category", "product", "customer", "party"])
def test_the_months_figures_equal_the_sum_of_the_complaints_to_the_fen(month_of_complaints, furniture, by):
    month = date(2026, 11, 1)
    visible = complaints_visible_to(staff=furniture.director)
    figures = cost_figures(month=month, by=by, complaints=visible)
    slow = _slow(month, by)
    got = {
        r.key: {
            "upheld": r.upheld,
            "not_upheld": r.not_upheld,
            "loss": r.loss_amount,
            "borne": {k: v for k, v in r.borne.items() if v},
            "returns": r.returns if by != "party" else Decimal("0"),
            "credits": r.credit_notes if by != "party" else Decimal("0"),
        }
        for r in figures.rows
    }
    expected = {
        key: {**row, "borne": {k: v for k, v in row["borne"].items() if v}}
        for key, row in slow.items()
        if row["upheld"]
        or row["not_upheld"]
        or row["returns"]
        or row["credits"]
        or any(row["borne"].values())
    }
    assert got == expected
    # the total row is the month's sum, whichever way it is grouped
    total_borne = sum((v for row in slow.values() for v in row["borne"].values()), Decimal("0"))
    assert sum(figures.total.borne.values(), Decimal("0")) == total_borne
    assert figures.total.decided == total_borne  # every fen of every approved line is borne by someone
    assert figures.total.upheld + figures.total.not_upheld == sum(
        1
        for c in month_of_complaints
        if c.received_at.month == 11
        and DecisionVersion.objects.filter(decision__complaint=c, status=VersionStatus.APPROVED).exists()
    )
    assert figures.total.upheld > 0 and figures.total.not_upheld > 0 and figures.total.returns > 0


def test_figures_are_two_queries_whatever_the_number_of_complaints(
    month_of_complaints, furniture, django_assert_max_num_queries
):
    visible = complaints_visible_to(staff=furniture.director)
    with django_assert_max_num_queries(2):
        cost_figures(month=date(2026, 11, 1), by="customer", complaints=visible)


def test_a_department_sees_the_figures_of_the_complaints_it_may_see(month_of_complaints, furniture):
    from kesu.organization.models import Department, Role
    from tests.conftest import make_staff

    other = Department.objects.create(name="仓储部", code="warehouse")
    head = make_staff("whhead", "仓储经理", other, Role.DEPARTMENT_HEAD)
    figures = cost_figures(
        month=date(2026, 11, 1), by="category", complaints=complaints_visible_to(staff=head)
    )
    assert figures.rows == [] and figures.total.decided == 0


def test_a_corrected_receipt_date_moves_the_complaints_costs_to_its_month(furniture):
    """The ledger keeps the month of receipt in step: a correction (更正) of received_at moves it."""
    from kesu.complaints.actions import perform_action
    from kesu.fulfilment.models import ComplaintCost, CostShare
    from tests.fulfilment.conftest import decided, investigated

    org = furniture
    with time_machine.travel(local(2026, 11, 20, 9), tick=False):
        complaint = investigated(org)
        decided(org, complaint)
        assert ComplaintCost.objects.get(complaint=complaint).month == date(2026, 11, 1)
        complaint.refresh_from_db()
        perform_action(
            complaint=complaint,
            action="correct",
            by=org.clerk,
            inputs={"changes": {"received_at": "2026-10-30T10:00:00+08:00"}, "reason": "登记错误"},
            version=complaint.version,
        )
    assert ComplaintCost.objects.get(complaint=complaint).month == date(2026, 10, 1)
    assert set(CostShare.objects.filter(complaint=complaint).values_list("month", flat=True)) == {
        date(2026, 10, 1)
    }
    assert cost_figures(month=date(2026, 10, 1), by="category").total.upheld == 1
    assert cost_figures(month=date(2026, 11, 1), by="category").total.upheld == 0
