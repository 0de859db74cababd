"""Major complaints (重大投诉) are reported at once to the roles the rule book names.

Seed 001 客户管理制度11 一(六) 报告: 重大投诉，必须马上报各部门主管或公司领导; every preset says
whether its own seed speaks (seed 000 and 002 are silent and take seed 001's rule as the default).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.complaints import services
from kesu.complaints.models import Category, Severity
from kesu.notifications.models import MajorComplaintRule, Notification
from kesu.organization.models import Role, Staff
from kesu.rulebook.services import apply_preset, available_presets, read_preset

SEEDS = Path("/work/shared/seeds")


@pytest.fixture
def staff_mail(org):
    for person in Staff.objects.select_related("user"):
        person.user.email = f"{person.user.username}@example.com"
        person.user.save()
    return org


def majors() -> list[str]:
    return sorted(
        Notification.objects.filter(kind=Notification.Kind.MAJOR).values_list(
            "recipient__user__username", flat=True
        )
    )


@pytest.mark.django_db
def test_an_extra_urgent_complaint_is_reported_at_once_to_the_leaders(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """Seed 001 客户管理制度11 一(六): 重大投诉，必须马上报…公司领导 (the preset's default rule)."""
    with django_capture_on_commit_callbacks(execute=True):
        complaint = register(severity=Severity.objects.get(code="extra_urgent"))

    assert majors() == ["gm", "vp"]
    assert sorted(a for m in mail.outbox for a in m.to) == ["gm@example.com", "vp@example.com"]
    assert all(m.subject.startswith(f"[Kesu] {complaint.number}: ") for m in mail.outbox)


@pytest.mark.django_db
def test_a_normal_complaint_is_not_major(staff_mail, register):
    register(severity=Severity.objects.get(code="normal"))
    assert majors() == []


@pytest.mark.django_db
def test_reclassifying_into_a_major_severity_reports_once(staff_mail, register):
    org = staff_mail
    complaint = register(severity=Severity.objects.get(code="normal"))
    quality = Category.objects.get(code="product_quality")

    complaint = services.classify_complaint(
        complaint=complaint,
        by=org.clerk,
        category=quality,
        severity=Severity.objects.get(code="extra_urgent"),
    )
    assert majors() == ["gm", "vp"]

    # down and up again: nobody is told twice about the same complaint
    complaint = services.classify_complaint(
        complaint=complaint, by=org.clerk, category=quality, severity=Severity.objects.get(code="urgent")
    )
    services.classify_complaint(
        complaint=complaint,
        by=org.clerk,
        category=quality,
        severity=Severity.objects.get(code="extra_urgent"),
    )
    assert majors() == ["gm", "vp"]


@pytest.mark.django_db
def test_the_accused_is_not_told_and_an_absent_leader_is_replaced_by_the_deputy(staff_mail):
    org = staff_mail
    org.vp.deputy = org.director
    org.vp.absent_from = timezone.now() - timedelta(hours=1)
    org.vp.save()
    from tests.conftest import intake

    services.register_complaint(
        by=org.clerk,
        intake=intake(severity=Severity.objects.get(code="extra_urgent")),
        accused_staff=[org.gm],
    )

    assert majors() == ["director"]


@pytest.mark.django_db
def test_a_class_rule_tells_the_department_heads_of_the_responsible_department(staff_mail, register):
    """Seed 003's kind of rule (every quality complaint made known): a class, and a department-scoped
    role told in the responsible department only once there is one."""
    quality = Category.objects.get(code="product_quality")
    MajorComplaintRule.objects.create(category=quality, role=Role.DEPARTMENT_HEAD, source="test")

    register(category=quality, severity=Severity.objects.get(code="normal"))

    assert majors() == ["prodhead", "qualityhead"]  # no responsible department yet: all heads


@pytest.mark.django_db
def test_a_rule_names_a_severity_or_a_class():
    with pytest.raises(ValidationError):
        MajorComplaintRule(role=Role.GENERAL_MANAGER).full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("name", available_presets())
def test_each_preset_loads_its_major_complaint_rules(name):
    apply_preset(name=name)
    stated = {
        (spec.get("severity") or None, spec.get("category") or None, role)
        for spec in read_preset(name)["major_complaint_recipients"]
        for role in spec["roles"]
    }
    loaded = {
        (r.severity.code if r.severity else None, r.category.code if r.category else None, r.role)
        for r in MajorComplaintRule.objects.select_related("severity", "category")
    }
    assert loaded == stated and loaded


@pytest.mark.django_db
def test_a_preset_naming_an_unknown_severity_is_refused_whole():
    preset = read_preset("furniture")
    preset["major_complaint_recipients"] = [{"severity": "apocalyptic", "roles": ["general_manager"]}]
    from kesu.notifications.major import load_major_complaint_recipients

    with pytest.raises(ValidationError):
        load_major_complaint_recipients(preset)


@pytest.mark.parametrize("name", available_presets())
def test_each_preset_cites_the_seed_or_says_it_is_silent_word_for_word(name):
    for spec in read_preset(name)["major_complaint_recipients"]:
        assert "seed" in spec["source"] and spec["quotes"]
        if not SEEDS.is_dir():
            pytest.skip("the seed texts are not on this machine")
        for quote in spec["quotes"]:
            assert quote["quote"] in (SEEDS / quote["seed"]).read_text(encoding="utf-8")
