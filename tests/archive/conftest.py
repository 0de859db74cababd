"""Customers for the archive's tests: a furniture dealer and a private buyer, registered by the desk."""

from __future__ import annotations

import pytest

from kesu.archive import services


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
