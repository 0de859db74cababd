"""Helpers for the web UI tests: sign a persona in, pull the allowed action names off a page."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client


@pytest.fixture
def as_user(client: Client):
    """``as_user(staff)`` signs that persona in and returns the client."""

    def _as(staff) -> Client:
        client.force_login(staff.user)
        return client

    return _as


def action_buttons(html: str) -> list[str]:
    """The action names the complaint page offers, in page order."""
    return re.findall(r'data-action="([a-z_]+)"', html)


def opened_form(client: Client, number: str, action: str) -> str:
    """The form of ``action`` as the user gets it on the complaint page: the page offers the action
    closed, and opening it asks (htmx) for the form at the address the page names."""
    page = client.get(f"/complaints/{number}/").content.decode()
    found = re.search(rf'<details[^>]*data-action="{action}"[^>]*hx-get="([^"]+)"', page)
    assert found is not None, f"the page offers no {action} to open"
    response = client.get(html.unescape(found.group(1)), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()
