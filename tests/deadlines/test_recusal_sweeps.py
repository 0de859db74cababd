"""Reminders and escalations skip the person complained about (回避) and, when every holder of an
escalation role is recused, go to the rule book's substitute (telecom preset: the vice president)."""

from __future__ import annotations

import pytest

from kesu.complaints import services
from kesu.complaints.models import Category
from kesu.deadlines.sweeps import sweep
from kesu.notifications.models import Notification
from kesu.rulebook.services import apply_preset
from tests.conftest import advance, intake
from tests.deadlines.test_sweeps import T0, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def telecom(org):
    apply_preset(name="telecom")
    return org


def _recipients(kind: str, level: int | None = None) -> set[str]:
    rows = Notification.objects.filter(kind=kind)
    if level is not None:
        rows = rows.filter(dedup_key__endswith=f":{level}")
    return set(rows.values_list("recipient__user__username", flat=True))


def test_an_overdue_complaint_about_the_gm_escalates_to_the_substitute(telecom):
    # given a complaint accepted by production, about the GM and the production head
    with at(minutes=0):
        complaint = services.register_complaint(
            by=telecom.clerk,
            intake=intake(received_at=T0, category=Category.objects.get(code="service_quality")),
        )
    with at(minutes=10):
        complaint = advance(complaint, telecom, "accepted")
    complaint.accused_staff.add(telecom.gm, telecom.production_head)

    # when the worker sweeps after every escalation step is reached
    with at(hours=20):
        sweep()
    with at(hours=50):
        sweep()

    # then neither accused person hears of it; the VP gets the GM's step
    everyone = _recipients(Notification.Kind.ESCALATION) | _recipients(Notification.Kind.REMINDER)
    assert not everyone & {"gm", "prodhead"}
    assert _recipients(Notification.Kind.ESCALATION, level=3) == {"vp"}
