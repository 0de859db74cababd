"""Log-in, log-out, the language switch, and that every page wants a signed-in user."""

from __future__ import annotations

import pytest
from django.urls import reverse


def test_login_page_is_chinese_by_default(client, org):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert '<html lang="zh-hans">' in response.content.decode()


def test_login_with_the_right_password_leads_to_the_workbench(client, org):
    response = client.post(reverse("login"), {"username": "clerk", "password": "pass-clerk"})

    assert response.status_code == 302
    assert response.url == reverse("workbench")


def test_login_with_a_wrong_password_stays_on_the_form(client, org):
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'class="errorlist' in response.content.decode()


def test_logout_needs_post_and_ends_the_session(client, org):
    client.force_login(org.clerk.user)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/complaints/",
        "/complaints/new/",
        "/complaints/260101001/",
        "/complaints/260101001/attachments/1/",
    ],
)
def test_every_page_sends_strangers_to_the_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_pages_render_in_english_with_the_language_cookie(client, org):
    client.force_login(org.clerk.user)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("workbench")).content.decode()

    assert "My tasks" in html and "我的待办" not in html


def test_pages_render_in_english_for_accept_language_en(client, org):
    client.force_login(org.clerk.user)

    html = client.get(reverse("workbench"), headers={"accept-language": "en"}).content.decode()

    assert "Registered today" in html


def test_the_language_switch_sets_the_cookie(client, org):
    client.force_login(org.clerk.user)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/complaints/"})

    assert response.status_code == 302 and response.url == "/complaints/"
    assert client.cookies["django_language"].value == "en"
    assert "Complaints" in client.get("/complaints/").content.decode()


def test_the_stylesheet_and_htmx_are_found_by_staticfiles():
    from django.contrib.staticfiles import finders

    assert finders.find("kesu/kesu.css")
    assert finders.find("vendor/htmx/htmx.min.js")
