"""Customers for the archive's tests: a furniture dealer and a private buyer, registered by the desk."""

from __future__ import annotations

import pytest
import time_machine

from kesu.archive import services
from kesu.complaints.models import Complaint
from kesu.organization.models import Role
from tests.conftest import local, make_staff


@pytest.fixture
def dealer(org):
    """上海锦程家居有限公司 — a company with its phone written with separators."""
    return services.create_customer(
        by=org.clerk, name="上海锦程家居有限公司", phone="021-6234 5678", contact_name="陈经理"
    )


@pytest.fixture
def buyer(org):
    return services.create_customer(by=org.clerk, name="刘建华", kind="person", phone="138 1234 5678")


@pytest.fixture
def as_user(client):
    """``as_user(staff)`` signs that persona in and returns the client."""

    def _as(staff):
        client.force_login(staff.user)
        return client

    return _as


@pytest.fixture
def api(org):
    """api(staff) → a JSON client with a fresh bearer token, every answer checked against the
    OpenAPI document."""
    from kesu.organization.models import ApiToken
    from tests.api.conftest import ApiClient

    def make(staff):
        return ApiClient(ApiToken.issue(staff=staff, name="test")[1] if staff is not None else None)

    return make


# --- ownership (§3) and retention (§5) ---


@pytest.fixture
def sales(org):
    """The sales office: its manager (销售经理) and three salespeople A, B, C."""

    class Sales:
        manager = make_staff("salesmgr", "销售经理", org.sales, Role.DEPARTMENT_HEAD)
        a = make_staff("sales_a", "销售A", org.sales)
        b = make_staff("sales_b", "销售B", org.sales)
        c = make_staff("sales_c", "销售C", org.sales)

    return Sales


@pytest.fixture
def old_customer(org, register):
    """A person's archive created in 2015 with a complaint, a contact and a phone correction."""
    with time_machine.travel(local(2015, 6, 1), tick=False):
        archive = services.create_customer(
            by=org.clerk,
            name="刘建华",
            kind="person",
            phone="138 1234 5678",
            address="上海市长宁路1号",
            contact_name="刘建华",
        )
        services.add_contact(archive=archive, by=org.clerk, name="刘太太", phone="139 0000 1111")
        complaint = register(
            customer=archive.customer,
            complainant_name="刘建华",
            complainant_phone="13812345678",
            complainant_address="上海市长宁路1号",
        )
        services.log_contact(
            archive=archive, by=org.clerk, kind="call", summary="刘建华来电，手机13812345678"
        )
        services.correct(archive=archive, by=org.clerk, changes={"phone": "138 1234 5679"}, reason="客户改号")
    Complaint.objects.filter(pk=complaint.pk).update(status="closed")
    archive.refresh_from_db()
    archive.complaint = complaint
    return archive
