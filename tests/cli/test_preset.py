"""`kesu preset list` / `kesu preset load NAME`."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kesu.approvals.models import ApprovalRule
from kesu.complaints.models import Category, Procedure
from kesu.rulebook.models import RuleBook
from kesu.rulebook.services import read_preset

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


# --- `kesu preset load --file`: the company's own rule book, checked as strictly as the admin


def _own_rule_book(tmp_path, change) -> str:
    """The PCB preset as a company would keep it in a file, with ``change`` applied."""
    preset = read_preset("pcb")
    preset["company_name"] = "自有制度电路板厂"
    change(preset)
    path = tmp_path / "rulebook.json"
    path.write_text(json.dumps(preset, ensure_ascii=False), "utf-8")
    return str(path)


def _rule_book_state() -> tuple:
    return (
        RuleBook.current().preset,
        Procedure.objects.count(),
        ApprovalRule.objects.count(),
        sorted(Category.objects.filter(is_active=True).values_list("code", flat=True)),
    )


def test_a_valid_rule_book_file_loads(tmp_path, capsys):
    call_command("preset", "load", "--file", _own_rule_book(tmp_path, lambda p: None))

    assert RuleBook.current().company_name == "自有制度电路板厂"
    assert Procedure.objects.filter(steps__label="总经理室生管组编号登记").exists()  # seed 002 (九)1


def _unknown_role(preset):
    preset["procedures"][0]["steps"][0]["role"] = "chairman"


def _cannot_close(preset):
    for procedure in preset["procedures"]:
        procedure["steps"] = [s for s in procedure["steps"] if s["action"] != "close"]


def _overlapping_amounts(preset):
    preset["approval_rules"][1]["amount_from"] = "4000.00"  # overlaps the first rule (< 5 000)


def _negative_amount(preset):
    preset["approval_rules"][0]["amount_to"] = "-1"


def _not_a_list(preset):
    preset["procedures"] = "总经理审批"


@pytest.mark.parametrize(
    "change", [_unknown_role, _cannot_close, _overlapping_amounts, _negative_amount, _not_a_list]
)
def test_an_invalid_procedure_or_approval_rule_in_a_file_is_refused_and_nothing_is_saved(tmp_path, change):
    # given the furniture rule book in force
    before = _rule_book_state()
    path = _own_rule_book(tmp_path, change)

    # when the company loads its own file with one bad value, then: a clear error (exit 1)
    with pytest.raises(CommandError) as error:
        call_command("preset", "load", "--file", path)
    assert str(error.value)

    # and nothing of the file was saved: not the rule book, the procedures, the rules or the classes
    assert _rule_book_state() == before
    assert RuleBook.current().company_name != "自有制度电路板厂"


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "JSON"), ("[1, 2]", "object"), ('{"name": "x"}', "missing")],
)
def test_a_file_that_is_not_a_rule_book_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "rulebook.json"
    path.write_text(content, "utf-8")

    with pytest.raises(CommandError) as error:
        call_command("preset", "load", "--file", str(path))
    assert message in str(error.value)


def test_a_missing_file_and_a_name_with_a_file_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="nowhere.json"):
        call_command("preset", "load", "--file", str(tmp_path / "nowhere.json"))
    with pytest.raises(CommandError):
        call_command("preset", "load", "pcb", "--file", str(tmp_path / "nowhere.json"))
