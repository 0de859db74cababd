"""Production settings (issue 6 item 8): a Content-Security-Policy and ``Cache-Control: private,
no-store`` on every page and API answer, no inline script, style or event handler in any page (the
CSP would block them), HTTPS redirect and HSTS from KESU_* variables, and `kesu check` failing on
any deploy warning."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kesu import cli
from kesu.organization.models import ApiToken

NO_STORE = {"private", "no-store"}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def pages(org, register) -> dict[str, Client]:
    """Every kind of page: anonymous log-in, the staff pages, the admin, the API."""
    complaint = register()
    staff, root, anonymous = Client(), Client(), Client()
    staff.force_login(org.clerk.user)
    root.force_login(get_user_model().objects.create_superuser("root", password="pass-root"))
    token = ApiToken.issue(staff=org.clerk)[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return {
        "/login/": anonymous,
        "/": staff,
        reverse("complaint-list"): staff,
        reverse("complaint-new"): staff,
        reverse("complaint-detail", args=[complaint.number]): staff,
        reverse("figures"): staff,
        "/no-such-page/": staff,
        "/admin/": root,
        "/admin/login/": anonymous,
        "/admin/organization/staff/": root,
        f"/admin/organization/staff/{org.clerk.pk}/change/": root,
        "/admin/deadlines/timelimitpolicy/add/": root,
        "/api/v1/complaints": api,
        f"/api/v1/complaints/{complaint.number}": api,
        "/api/v1/reference": Client(),  # 401
    }


def test_every_answer_has_the_csp_and_is_not_stored(pages):
    for path, client in pages.items():
        response = client.get(path)
        assert response.status_code in {200, 401, 404}, path
        csp = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp, path
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
        assert cache_control(response) >= NO_STORE, (path, response.get("Cache-Control"))


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.I), "javascript: URL"),
]


def test_no_page_needs_what_the_csp_blocks(pages):
    for path, client in pages.items():
        response = client.get(path)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        found = [(what, m.group(0)) for pattern, what in INLINE for m in [pattern.search(html)] if m]
        assert not found, f"{path}: {found}"


def test_static_files_stay_cacheable(client):
    response = client.get("/static/kesu/kesu.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


PROBE = (
    "import kesu.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.KESU_PROXY_COUNT, "
    "getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SILENCED_SYSTEM_CHECKS)"
)


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "KESU_SECRET_KEY": "k" * 60}
    return subprocess.run(
        [sys.executable, "-c", PROBE], env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_https_settings_default_off(tmp_path):
    result = settings_with(KESU_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False 0 False False 0 None []"


def test_https_settings_from_the_environment(tmp_path):
    result = settings_with(
        KESU_DATA_DIR=str(tmp_path),
        KESU_HTTPS_REDIRECT="true",
        KESU_HSTS_SECONDS="31536000",
        KESU_HSTS_INCLUDE_SUBDOMAINS="true",
        KESU_HSTS_PRELOAD="yes",
        KESU_PROXY_COUNT="1",
        KESU_SILENCED_CHECKS="security.W021, kesu.W002",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "True 31536000 True True 1 ('HTTP_X_FORWARDED_PROTO', 'https') ['security.W021', 'kesu.W002']"
    )


@pytest.mark.parametrize(
    "env",
    [{"KESU_HSTS_SECONDS": "-1"}, {"KESU_HSTS_SECONDS": "a year"}, {"KESU_HTTPS_REDIRECT": "sometimes"}],
)
def test_bad_https_settings_are_refused(env, tmp_path):
    result = settings_with(KESU_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert next(iter(env)) in result.stderr


def test_hsts_and_the_https_redirect_are_served(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/login/")
    secure = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=3600"


@pytest.fixture
def production(settings):
    """Settings a production site would have (HTTPS, HSTS, secure cookies)."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    # the test suite runs on SQLite too; production's PostgreSQL warning is not the point here
    settings.SILENCED_SYSTEM_CHECKS = ["kesu.W002"]
    return settings


def run_check(capsys) -> tuple[int, str]:
    try:
        cli.main(["check"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    output = capsys.readouterr()
    return code, output.out + output.err


def test_kesu_check_passes_on_a_production_configuration(org, production, capsys):
    code, output = run_check(capsys)
    assert code == 0, output


@pytest.mark.parametrize(
    ("change", "check_id"),
    [
        ({"SECURE_HSTS_SECONDS": 0}, "security.W004"),
        ({"SECURE_SSL_REDIRECT": False}, "security.W008"),
        ({"SESSION_COOKIE_SECURE": False}, "security.W012"),
        ({"DEBUG": True}, "security.W018"),
        ({"SILENCED_SYSTEM_CHECKS": []}, "kesu.W002"),
    ],
)
def test_kesu_check_fails_on_a_deploy_warning(org, production, capsys, change, check_id, request):
    if check_id == "kesu.W002" and "sqlite" not in production.DATABASES["default"]["ENGINE"]:
        pytest.skip("kesu.W002 is about SQLite")
    for name, value in change.items():
        setattr(production, name, value)

    code, output = run_check(capsys)

    assert code != 0
    assert check_id in output


def test_kesu_check_fails_on_a_director_without_deputy(org, production, capsys):
    org.director.deputy = None
    org.director.save()

    code, output = run_check(capsys)

    assert code != 0 and "kesu.W001" in output
