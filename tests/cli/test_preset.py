"""`kesu preset list` / `kesu preset load NAME`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kesu.complaints.models import Category
from kesu.rulebook.models import RuleBook

pytestmark = pytest.mark.django_db


def test_list_names_every_preset_and_marks_the_loaded_one(capsys):
    call_command("preset", "list")
    lines = capsys.readouterr().out.splitlines()
    furniture = next(line for line in lines if " furniture " in line)
    pcb = next(line for line in lines if " pcb " in line)
    assert furniture.startswith("*") and not pcb.startswith("*")
    assert "{YY}{MM}{DD}{SEQ:3}" in furniture and "{YY}{MM}{SEQ:2}" in pcb  # seed 002 (八): 流水编号(××)


def test_loading_pcb_switches_numbering_and_classes(register, capsys):
    # when
    call_command("preset", "load", "pcb", "--company-name", "示范电路板厂")

    # then: the rule book and the next number follow the PCB maker's pattern (monthly)
    rulebook = RuleBook.current()
    assert (rulebook.preset, rulebook.company_name) == ("pcb", "示范电路板厂")
    assert "{YY}{MM}{SEQ:2}" in capsys.readouterr().out
    complaint = register(category=Category.objects.get(code="quality_electrical"))
    assert complaint.number == f"{timezone.localdate():%y%m}01"  # seed 002 (八): 流水编号(××)
    # the furniture classes stay (old complaints point at them) but are no longer offered
    assert not Category.objects.get(code="product_quality").is_active


def test_unknown_preset_is_a_clear_error_and_changes_nothing():
    with pytest.raises(CommandError) as error:
        call_command("preset", "load", "bakery")
    assert "bakery" in str(error.value) and "furniture" in str(error.value) and "pcb" in str(error.value)
    assert RuleBook.current().preset == "furniture"


def test_preset_needs_a_subcommand():
    with pytest.raises(CommandError):
        call_command("preset")
