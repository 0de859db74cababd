"""Helpers for the web UI tests: sign a persona in, pull the allowed action names off a page."""

from __future__ import annotations

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
