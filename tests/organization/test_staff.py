"""Staff, deputies and the deploy checklist's organisation checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from kesu.operations.checks import check_rule_book
from kesu.organization.models import Department


def test_absence_needs_a_deputy(org):
    org.gm.absent_from = timezone.now()
    with pytest.raises(ValidationError) as error:
        org.gm.full_clean()
    assert "deputy" in error.value.message_dict


def test_absence_must_end_after_it_starts(org):
    org.director.absent_from = timezone.now()
    org.director.absent_until = org.director.absent_from - timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        org.director.full_clean()
    assert "absent_until" in error.value.message_dict


def test_nobody_deputises_for_themselves(org):
    org.director.deputy = org.director
    with pytest.raises(ValidationError):
        org.director.full_clean()


def test_department_tree_has_no_cycles(org):
    child = Department.objects.create(name="木工车间", code="woodwork", parent=org.production)
    org.production.parent = child
    with pytest.raises(ValidationError):
        org.production.full_clean()


def test_check_warns_about_a_director_without_deputy(org):
    assert [p.id for p in check_rule_book(None)] == []
    org.director.deputy = None
    org.director.save()
    problems = check_rule_book(None)
    assert [p.id for p in problems] == ["kesu.W001"]
    assert "李主任" in problems[0].msg


def test_kesu_check_runs_the_deploy_checklist(db, capsys):
    call_command("check", "--deploy")
    output = capsys.readouterr()
    assert "System check identified" in output.out + output.err
