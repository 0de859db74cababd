"""Small things a person notices (issue 12 §5): the favicon exists, and required fields are marked."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders


def test_every_page_names_an_icon_that_exists(as_user, org):
    html = as_user(org.clerk).get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert icon.endswith(".svg")
    path = finders.find("kesu/favicon.svg")
    assert path and "<svg" in Path(path).read_text(encoding="utf-8")


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert "favicon" in response["Location"] and response["Location"].endswith(".svg")


def test_required_fields_are_marked_on_the_registration_form(as_user, org):
    html = as_user(org.clerk).get("/complaints/new/").content.decode()
    required = set(re.findall(r'<label for="id_([a-z_]+)" class="required"', html))
    assert {"channel", "received_at", "complainant_name", "description"} <= required
    assert "complainant_phone" not in required  # optional
