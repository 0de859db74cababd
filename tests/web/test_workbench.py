"""The workbench (工作台): four panels, each listing what the viewer may see."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import advance


def _panel(html: str, panel_id: str) -> str:
    start = html.index(f'id="{panel_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_clerk_sees_todays_registration_as_a_task(as_user, org, register):
    complaint = register()

    response = as_user(org.clerk).get(reverse("workbench"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "工作台" in html
    assert complaint.number in _panel(html, "my-tasks")
    assert complaint.number in _panel(html, "registered-today")
    assert f'href="/complaints/{complaint.number}/"' in html


def test_gm_sees_a_proposed_transfer_awaiting_approval(as_user, org, register):
    complaint = advance(register(), org, "transfer_proposed")

    html = as_user(org.gm).get(reverse("workbench")).content.decode()

    assert complaint.number in _panel(html, "awaiting-approval")
    assert complaint.number not in _panel(html, "my-tasks")


def test_outsider_sees_empty_panels(as_user, org, register):
    complaint = register()

    response = as_user(org.outsider).get(reverse("workbench"))

    assert response.status_code == 200
    assert complaint.number not in response.content.decode()


def test_register_link_only_for_the_desk(as_user, org):
    assert reverse("complaint-new") in as_user(org.clerk).get("/").content.decode()
    assert reverse("complaint-new") not in as_user(org.production_head).get("/").content.decode()


def test_workbench_refuses_post(as_user, org):
    assert as_user(org.clerk).post(reverse("workbench")).status_code == 405
