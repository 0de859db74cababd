"""The admin cannot rewrite history: every record a timeline entry describes (and the entries
themselves) is view-only there, for a superuser too; configuration stays editable. The list of
models is generated from the admin's registry, so a newly registered model must be classified."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from kesu.accountability import services as accountability
from kesu.accountability.models import (
    Appeal,
    AssessmentMonth,
    AssessmentSettings,
    ClockLateness,
    DepartmentReview,
    Finding,
    Rule,
    Scorecard,
    SheetLine,
    StaffTerms,
)
from kesu.approvals.models import Approval, ApprovalRule
from kesu.approvals.services import decide_approval
from kesu.archive.access_models import AccessRules
from kesu.archive.models import (
    ArchiveChange,
    ArchiveGrant,
    ArchiveRules,
    ContactKind,
    ContactLogEntry,
    CustomerArchive,
    CustomerClass,
    CustomerKind,
    ProfileField,
    ReadAudit,
)
from kesu.archive.models_ownership import (
    ArchiveOwnership,
    CreditSplitCase,
    Handover,
    OwnershipDispute,
    OwnershipEvent,
    OwnershipRules,
)
from kesu.archive.models_retention import DestructionList, RetentionPeriod
from kesu.assignments import services as assignments
from kesu.assignments.models import Distribution, Task, TaskGate
from kesu.committees.models import Committee, CommitteeRule, Meeting
from kesu.committees.services import convene_committee
from kesu.complaints.models import (
    Attachment,
    Category,
    Complaint,
    ComplaintEvent,
    IdempotencyKey,
    Procedure,
    Severity,
    TransferSlip,
)
from kesu.customers.models import Customer, Product
from kesu.deadlines import clock_actions
from kesu.deadlines.models import (
    ComplaintClock,
    EscalationStep,
    ExtensionRequest,
    HandlingTimeTarget,
    TimeLimitPolicy,
)
from kesu.deadlines.sweeps import sweep
from kesu.decisions.models import Cause, DecisionVersion, Objection, ObjectionRoute, RemedyKind
from kesu.decisions.objections import raise_objection
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision
from kesu.fulfilment.models import (
    Carrier,
    CarrierClaim,
    CreditNote,
    DocumentNumbering,
    OverDeliveryTolerance,
    Receivable,
    RepairStep,
    ReturnRule,
    ReturnSlip,
    Shipment,
)
from kesu.notifications.models import MajorComplaintRule, Notification
from kesu.notifications.services import notify
from kesu.organization.models import ApiToken, AuthFailure, Department, Position, Staff
from kesu.rulebook.models import NumberCounter, RecusalSubstitute, RuleBook
from kesu.statistics.models import HotSpotRule, ReportSchedule, StoredReport
from kesu.workcalendar.models import CalendarDay, CalendarRevision, CalendarYear, WorkingHours
from tests.api.conftest import ApiClient
from tests.conftest import local

# What happened: changed only by the services that write the timeline.
HISTORY: set[type[Model]] = {
    Complaint,
    ComplaintEvent,
    TransferSlip,
    Attachment,
    IdempotencyKey,
    ComplaintClock,
    ExtensionRequest,
    CalendarRevision,
    Notification,
    ApiToken,
    NumberCounter,
    Approval,
    DecisionVersion,
    Task,
    Distribution,
    Shipment,
    RepairStep,
    CarrierClaim,
    ReturnSlip,
    CreditNote,
    Receivable,
    Committee,
    Meeting,  # a partners' meeting and its votes: written by the complaint's actions
    Objection,
    CustomerArchive,
    ContactLogEntry,
    ArchiveChange,
    ArchiveGrant,
    ReadAudit,
    ArchiveOwnership,
    OwnershipEvent,
    OwnershipDispute,
    Handover,
    DestructionList,
    StoredReport,  # the reports the worker built: replaced only by building the period again
    AssessmentMonth,
    SheetLine,
    Finding,
    Appeal,
    ClockLateness,
    DepartmentReview,
}
# How the company works: edited in the admin.
CONFIGURATION: set[type[Model]] = {
    RuleBook,
    RecusalSubstitute,
    MajorComplaintRule,
    ApprovalRule,
    TaskGate,
    Cause,
    RemedyKind,
    Carrier,
    OverDeliveryTolerance,
    ReturnRule,
    DocumentNumbering,
    CommitteeRule,
    ObjectionRoute,
    ArchiveRules,
    AccessRules,
    OwnershipRules,
    CreditSplitCase,
    RetentionPeriod,
    ProfileField,
    CustomerClass,
    Category,
    Severity,
    Procedure,
    Customer,
    Product,
    CalendarDay,
    CalendarYear,
    WorkingHours,
    TimeLimitPolicy,
    HandlingTimeTarget,
    EscalationStep,
    Department,
    Position,
    Staff,
    get_user_model(),
    Group,
    AuthFailure,  # lock-out counters: view and delete (= unlock) only, see its admin
    ReportSchedule,  # the rule book's scheduled reports
    HotSpotRule,  # when a product or batch is a hot spot
    Rule,
    Scorecard,
    AssessmentSettings,
    StaffTerms,  # rows effective in a locked month are read-only there, see its admin
}

REGISTERED_HISTORY = sorted(
    (model for model in admin.site._registry if model in HISTORY), key=lambda m: m._meta.label
)


def test_every_model_in_the_admin_is_classified():
    unclassified = sorted(m._meta.label for m in admin.site._registry if m not in HISTORY | CONFIGURATION)
    assert not unclassified, (
        f"classify as history or configuration in tests/test_admin_history.py: {unclassified}"
    )


def test_the_history_models_that_the_issue_names_are_in_the_admin():
    assert {ComplaintEvent, ComplaintClock, ExtensionRequest, ApiToken, Notification} <= set(
        REGISTERED_HISTORY
    )


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password="pass-root")


@pytest.fixture
def root(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def history(org, accepted):
    """One of each history record: a complaint with its timeline, clocks, a pending extension
    request, a counter, a notification, an API token, an approval (decided), a department task, a
    distribution, a quality committee and an objection (签呈) to the approved decision."""
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        complaint = clock_actions.request_extension(
            complaint=accepted,
            by=org.production_handler,
            clock="resolution",
            extra_amount=Decimal(2),
            reason="等配件",
        )
    notify(
        recipients=[org.clerk],
        kind=Notification.Kind.choices[0][0],
        title="t",
        complaint=complaint,
        dedup_key="k",
    )
    ApiToken.issue(staff=org.clerk, name="ERP")
    convene_committee(complaint=complaint, by=org.production_head, members={"1": "prodhead", "2": "outsider"})
    version = propose_decision(  # the furniture preset: the GM approves a quality opinion
        complaint=complaint,
        by=org.production_head,
        cause="quality_defect",
        shares=[ShareIn(party="department", department="production", share="100")],
        remedies=[RemedyIn(kind="repair", quantity=1)],
        money=MoneyIn(repair_budget="800.00"),
        note="返修方案",
    )
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    ObjectionRoute.objects.create(decider_role="general_manager", source="test")
    raise_objection(complaint=complaint, by=org.production_head, reason="比例不当", decider="gm")
    assignments.open_tasks(
        complaint=complaint,
        by=org.clerk,
        tasks=[assignments.TaskSpec(department=org.quality, kind="原因分析")],
    )
    assignments.distribute_result(complaint=complaint, by=org.clerk, departments=[org.quality])
    # one of each fulfilment record (their services are tested in tests/fulfilment)
    carrier = Carrier.objects.create(code="sf", name="顺丰")
    now = timezone.now()
    Shipment.objects.create(
        complaint=complaint, carrier=carrier, waybill="SF1", shipped_at=now, recorded_by=org.clerk
    )
    RepairStep.objects.create(complaint=complaint, stage="received", at=now, by=org.clerk)
    CarrierClaim.objects.create(
        complaint=complaint, carrier=carrier, amount=Decimal("5.00"), filed_by=org.clerk
    )
    ReturnSlip.objects.create(complaint=complaint, reason="退货", approved_quantity=1, created_by=org.clerk)
    CreditNote.objects.create(
        number="ZR20260001",
        complaint=complaint,
        kind="allowance",
        amount=Decimal("1.00"),
        status="approved",
        issued_by=org.clerk,
    )
    Receivable.objects.create(complaint=complaint, item="P-1", amount=Decimal("1.00"), recorded_by=org.clerk)
    # a partners' meeting (its services are tested in tests/committees/test_meetings.py)
    meeting_rule = CommitteeRule.objects.create(
        name="合伙人会议", decides_by="vote", convenor_role="general_manager", convenor_scope="any"
    )
    Meeting.objects.create(
        complaint=complaint, rule=meeting_rule, quorum_percent=50, majority_percent=50, convened_by=org.gm
    ).votes.create(position=1, label="主任", staff=org.gm)
    # one of each archive record (their services are tested in tests/archive)
    customer = Customer.objects.create(code="H-ADMIN", name="华东家具")
    archive = CustomerArchive.objects.create(
        customer=customer, number="KH-ADMIN-1", kind=CustomerKind.choices[0][0]
    )
    ContactLogEntry.objects.create(
        archive=archive, kind=ContactKind.choices[0][0], at=now, staff=org.clerk, summary="来电询问进度"
    )
    ArchiveChange.objects.create(
        archive=archive, field="grade", old=None, new="A", by=org.clerk, reason="评级"
    )
    ArchiveGrant.objects.create(archive=archive, staff=org.clerk, granted_by=org.director)
    ReadAudit.objects.create(archive=archive, staff=org.clerk, kind=ReadAudit.Kind.choices[0][0])
    ArchiveOwnership.objects.create(
        archive=archive, owner=org.outsider, department=org.sales, registered_at=now, renewed_at=now
    )
    OwnershipEvent.objects.create(archive=archive, kind="registered", to_staff=org.outsider, by=org.outsider)
    OwnershipDispute.objects.create(archive=archive, claimant=org.clerk, owner=org.outsider, reason="先接待")
    Handover.objects.create(leaver=org.outsider, by=org.gm, reason="离职")
    DestructionList.objects.create(record="archive")
    # a stored scheduled report (the worker's building is tested in tests/statistics)
    schedule = ReportSchedule.objects.create(
        code="admin-report", name="统计表", cadence="monthly", day=10, by="month"
    )
    StoredReport.objects.create(
        schedule=schedule,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        filename="admin-report.xlsx",
        content=b"PK",
    )
    # the assessment: a late clock's holder, a finding, a published month's line and its appeal
    with time_machine.travel(local(2026, 11, 30, 9), tick=False):
        sweep()
        accountability.record_finding(
            month=date(2026, 11, 1),
            rule=Rule.objects.get(code="policy_grievance"),
            by=org.gm,
            staff=org.outsider,
            reason="政策误解引起抱怨",
            evidence="客户来电记录",
        )
    with time_machine.travel(local(2026, 12, 2, 9), tick=False):
        drafted = accountability.draft_month(month=date(2026, 11, 1), by=org.gm)
        # a department head's review (furniture has no review step: tested in tests/accountability)
        DepartmentReview.objects.create(month=drafted, department=org.sales, lines_digest="0" * 64)
        accountability.approve_month(month=date(2026, 11, 1), by=org.gm)
        accountability.publish_month(month=date(2026, 11, 1), by=org.gm)
        accountability.file_appeal(
            line=SheetLine.objects.get(staff=org.outsider), by=org.outsider, reason="不知情"
        )
    assert ClockLateness.objects.exists()
    return complaint


@pytest.mark.parametrize("model", REGISTERED_HISTORY, ids=lambda m: m._meta.label)
def test_history_has_no_add_change_or_delete_permission(model, superuser):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = superuser

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.mark.parametrize("model", REGISTERED_HISTORY, ids=lambda m: m._meta.label)
def test_posting_to_the_admin_changes_no_history(model, root, history):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the fixture made no {model._meta.label}"
    before = model_to_dict(obj)

    # viewing is allowed
    assert root.get(reverse(f"{prefix}_change", args=[obj.pk])).status_code == 200
    # adding, changing and deleting are not
    assert root.post(reverse(f"{prefix}_add"), {}).status_code == 403
    form = {name: "" if value is None else str(value) for name, value in before.items()}
    assert root.post(reverse(f"{prefix}_change", args=[obj.pk]), form).status_code == 403
    assert root.post(reverse(f"{prefix}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    # the bulk delete action is not offered: the row must survive the attempt
    root.post(
        reverse(f"{prefix}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )

    obj.refresh_from_db()
    assert model_to_dict(obj) == before


def test_an_extension_cannot_be_approved_in_the_admin(root, history):
    # the issue's finding: "approved +300 working days", by nobody, no clock move, no timeline entry
    extension = ExtensionRequest.objects.get()
    clock = extension.clock
    due_before, events_before = clock.due_at, ComplaintEvent.objects.count()

    response = root.post(
        reverse("admin:deadlines_extensionrequest_change", args=[extension.pk]),
        {
            "clock": clock.pk,
            "extra_amount": "300",
            "reason": "x",
            "state": "approved",
            "requested_by": extension.requested_by_id,
        },
    )

    assert response.status_code == 403
    extension.refresh_from_db()
    clock.refresh_from_db()
    assert extension.state == ExtensionRequest.State.PENDING and extension.extra_amount == 2
    assert clock.due_at == due_before and ComplaintEvent.objects.count() == events_before


def test_a_token_cannot_be_unrevoked_or_moved_but_can_be_revoked(root, org):
    row, token = ApiToken.issue(staff=org.clerk, name="ERP")
    url = reverse("admin:organization_apitoken_changelist")

    response = root.post(url, {"action": "revoke", "_selected_action": [row.pk]})

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert ApiClient(token).get("/api/v1/reference").status_code == 401
    # un-revoking or moving it to another person is refused
    response = root.post(
        reverse("admin:organization_apitoken_change", args=[row.pk]),
        {"staff": org.gm.pk, "name": "ERP", "revoked_at_0": "", "revoked_at_1": ""},
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.revoked_at is not None and row.staff == org.clerk


def test_configuration_stays_editable(root, org):
    response = root.post(
        reverse("admin:organization_department_change", args=[org.sales.pk]),
        {"name": "销售一部", "code": "sales", "parent": "", "is_customer_service": ""},
    )
    assert response.status_code == 302
    org.sales.refresh_from_db()
    assert org.sales.name == "销售一部"
