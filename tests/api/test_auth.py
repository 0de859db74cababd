"""Bearer tokens: no token, a wrong one or a revoked one is 401 on every endpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kesu.organization.models import ApiToken
from tests.api.conftest import ApiClient, assert_documented, complaint_body

ENDPOINTS = [
    ("get", "/api/v1/complaints"),
    ("post", "/api/v1/complaints"),
    ("get", "/api/v1/complaints/240501001"),
    ("post", "/api/v1/complaints/240501001/actions"),
    ("get", "/api/v1/reference"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_needs_a_token(org, method, path):
    response = getattr(ApiClient(None), method)(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer ksu_not-a-real-token", "Bearer ", "Token abc", "Basic Y2xlcms6cGFzcy1jbGVyaw=="],
)
def test_a_wrong_token_is_401(org, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/reference")

    assert response.status_code == 401


def test_a_revoked_token_is_401(org, token_for):
    token = token_for(org.clerk)
    assert ApiClient(token).get("/api/v1/reference").status_code == 200

    ApiToken.objects.filter(digest=ApiToken.digest_of(token)).update(revoked_at=timezone.now())

    assert ApiClient(token).get("/api/v1/reference").status_code == 401


def test_an_inactive_users_token_is_401(org, token_for):
    token = token_for(org.clerk)
    org.clerk.user.is_active = False
    org.clerk.user.save()

    assert ApiClient(token).get("/api/v1/reference").status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(org, token_for):
    token = token_for(org.clerk)
    row = ApiToken.objects.get(digest=ApiToken.digest_of(token))
    assert row.last_used_at is None

    ApiClient(token).get("/api/v1/reference")
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None

    ApiClient(token).get("/api/v1/reference")
    row.refresh_from_db()
    assert row.last_used_at == first, "a second request within the minute must not write"

    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - timedelta(minutes=2))
    ApiClient(token).get("/api/v1/reference")
    row.refresh_from_db()
    assert row.last_used_at > first - timedelta(minutes=2)


def test_the_browser_session_works_for_reads_and_needs_csrf_for_writes(org):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(org.clerk.user)

    assert browser.get("/api/v1/reference").status_code == 200
    response = browser.post("/api/v1/complaints", complaint_body(), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert_documented("POST", "/api/v1/complaints", response)


def test_a_session_without_staff_record_is_401(org, django_user_model):
    browser = Client()
    browser.force_login(django_user_model.objects.create_user(username="nobody", password="x"))

    assert browser.get("/api/v1/reference").status_code == 401
