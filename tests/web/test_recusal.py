"""The complaint page tells the desk who decides when the general manager is recused (回避), or
that nobody can and what the administrator must configure; an accused person is never offered."""

from __future__ import annotations

from django.urls import reverse

from kesu.complaints import services
from kesu.complaints.models import Status
from kesu.rulebook.models import RecusalSubstitute
from tests.conftest import advance, intake
from tests.web.conftest import action_buttons, opened_form


def _about_the_gm(org):
    complaint = services.register_complaint(by=org.clerk, intake=intake(), accused_staff=[org.gm])
    return services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.production, reason="转交"
    )


def _page(client, complaint) -> str:
    response = client.get(reverse("complaint-detail", args=[complaint.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_names_who_decides_instead_of_the_recused_gm(as_user, org):
    complaint = _about_the_gm(org)

    html = _page(as_user(org.clerk), complaint)
    assert 'id="recusal"' in html and "总经理回避：由 钱副总 代为决定" in html

    # and the vice president finds the button there
    assert "approve_transfer" in action_buttons(_page(as_user(org.vp), complaint))


def test_the_page_warns_when_nobody_may_approve(as_user, org):
    RecusalSubstitute.objects.all().delete()
    complaint = _about_the_gm(org)

    html = _page(as_user(org.clerk), complaint)
    assert 'role="alert"' in html and 'id="recusal"' in html
    assert "approve_transfer" not in action_buttons(_page(as_user(org.gm), complaint))


def test_no_notice_without_recusal(as_user, org, register):
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)
    assert 'id="recusal"' not in _page(as_user(org.clerk), complaint)


def test_the_accused_is_not_offered_as_handler(as_user, org, register):
    complaint = advance(register(), org, Status.TRANSFER_APPROVED)
    complaint.accused_staff.add(org.production_handler)
    html = opened_form(as_user(org.production_head), complaint.number, "accept_transfer")
    assert 'value="prodhead"' in html and 'value="prodhandler"' not in html

    # and a forged form naming him is refused on the field
    response = as_user(org.production_head).post(
        reverse("complaint-action", args=[complaint.number, "accept_transfer"]),
        {"accept_transfer-version": complaint.version, "accept_transfer-handler": "prodhandler"},
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == Status.TRANSFER_APPROVED and complaint.handler is None
