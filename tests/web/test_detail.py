"""The complaint page: facts, transfer slips, timeline, and exactly the viewer's action buttons."""

from __future__ import annotations

from django.urls import reverse

from kesu.complaints import services, workflow
from kesu.complaints.models import Category
from kesu.organization.selectors import capacities_of
from tests.conftest import advance
from tests.web.conftest import action_buttons


def _page(client, complaint):
    return client.get(reverse("complaint-detail", args=[complaint.number]))


def test_shows_the_registered_facts_and_timeline(as_user, org, register):
    complaint = register(order_number="SO-778", batch_number="B-31")

    response = _page(as_user(org.clerk), complaint)

    html = response.content.decode()
    assert response.status_code == 200
    for text in (complaint.number, "刘先生", "13800000000", "沙发扶手开裂", "SO-778", "B-31", "王专员"):
        assert text in html
    assert 'id="timeline"' in html and "event-registered" in html


def test_outsider_and_other_departments_get_404(as_user, org, register):
    complaint = advance(register(), org, "accepted")

    assert _page(as_user(org.outsider), complaint).status_code == 404
    assert _page(as_user(org.quality_head), complaint).status_code == 404
    assert _page(as_user(org.production_handler), complaint).status_code == 200


def test_unknown_number_is_404(as_user, org):
    assert as_user(org.clerk).get("/complaints/999999999/").status_code == 404


def test_clerk_on_a_classified_complaint_may_propose_transfer_gm_may_not(as_user, org, register):
    complaint = register()

    clerk_buttons = action_buttons(_page(as_user(org.clerk), complaint).content.decode())
    gm_buttons = action_buttons(_page(as_user(org.gm), complaint).content.decode())

    assert "propose_transfer" in clerk_buttons
    assert "propose_transfer" not in gm_buttons


def test_gm_on_a_proposed_transfer_may_approve_it(as_user, org, register):
    complaint = advance(register(), org, "transfer_proposed")

    buttons = action_buttons(_page(as_user(org.gm), complaint).content.decode())

    assert "approve_transfer" in buttons and "reject_transfer" in buttons
    assert "approve_transfer" not in action_buttons(_page(as_user(org.clerk), complaint).content.decode())


def test_buttons_are_exactly_the_allowed_actions(as_user, org, register):
    complaint = advance(register(), org, "investigating")
    for person in (
        org.clerk,
        org.director,
        org.gm,
        org.vp,
        org.production_head,
        org.production_handler,
        org.auditor,
    ):
        expected = workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=person))

        buttons = action_buttons(_page(as_user(person), complaint).content.decode())

        assert buttons == expected, person.display_name


def test_the_person_complained_about_gets_no_buttons(as_user, org, register):
    complaint = register()
    complaint.accused_staff.set([org.clerk])

    html = _page(as_user(org.clerk), complaint).content.decode()

    assert action_buttons(html) == []


def test_transfer_slip_names_who_handed_over_approved_and_received(as_user, org, register):
    complaint = advance(register(), org, "accepted")

    html = _page(as_user(org.clerk), complaint).content.decode()

    slips = html[html.index('class="slips"') :]
    for name in ("生产部", "生产经理", "王专员", "赵总", "孙经理"):
        assert name in slips
    assert "周师傅" in html  # the handler


def test_timeline_shows_corrections_old_and_new(as_user, org, register):
    complaint = register(complainant_name="刘先生")
    services.correct_complaint(
        complaint=complaint, by=org.clerk, changes={"complainant_name": "刘女士"}, reason="登记时听错"
    )

    html = _page(as_user(org.clerk), complaint).content.decode()

    assert "<del>刘先生</del> → <ins>刘女士</ins>" in html
    assert "登记时听错" in html


def test_timeline_shows_the_deputy_acting_for_the_director(as_user, org, register):
    from datetime import timedelta

    from django.utils import timezone

    org.director.absent_from = timezone.now() - timedelta(hours=1)
    org.director.save()
    complaint = advance(register(), org, "resolution_proposed")
    services.return_for_rework(complaint=complaint, by=org.clerk, comment="方案不完整")

    html = _page(as_user(org.clerk), complaint).content.decode()

    assert "李主任" in html[html.index('id="timeline"') :]


def test_secondary_complaints_link_both_ways(as_user, org, register):
    first = advance(register(), org, "replied")
    second = services.file_secondary_complaint(
        complaint=first,
        by=org.clerk,
        description="维修后又开裂",
        received_at=first.received_at,
        channel="phone",
    )

    first_html = _page(as_user(org.clerk), first).content.decode()
    second_html = _page(as_user(org.clerk), second).content.decode()

    assert f'href="/complaints/{second.number}/"' in first_html
    assert f'href="/complaints/{first.number}/"' in second_html


def test_category_names_follow_the_language(as_user, org, register):
    complaint = register(category=Category.objects.get(code="grievance"))
    client = as_user(org.clerk)

    assert "抱怨类" in _page(client, complaint).content.decode()
    client.cookies["django_language"] = "en"
    assert "Grievance" in _page(client, complaint).content.decode()


def test_detail_refuses_post(as_user, org, register):
    complaint = register()

    assert as_user(org.clerk).post(reverse("complaint-detail", args=[complaint.number])).status_code == 405
