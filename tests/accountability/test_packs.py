"""The assessment rule packs for seed 001 #9 (customer-service staff) and seed 000 第五篇 (the
real-estate sales floor): every rule quotes its seed word for word, its number is the seed's, and
the silences are stated; loaded on top of a rule book, the packs price the month's facts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kesu.accountability import presets, services
from kesu.accountability.models import Rule, SheetLine
from kesu.complaints import services as complaint_services
from kesu.complaints.models import Category
from kesu.rulebook.services import apply_preset
from tests.accountability.conftest import NOVEMBER, terms
from tests.conftest import intake, local
from tests.rulebook.test_preset_numbers import SEEDS


def seed_says(seed: str, quote: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip("the seed texts are not on this machine")
    assert quote in (SEEDS / seed).read_text(encoding="utf-8"), f"{seed} does not say {quote!r}"
    return quote


def rule(pack: str, code: str) -> dict:
    (found,) = [r for r in presets.read_pack(pack)["rules"] if r["code"] == code]
    return found


def test_the_bundled_packs():
    assert presets.available_packs() == ["cs_staff", "realestate_sales"]


@pytest.mark.parametrize("name", ["cs_staff", "realestate_sales"])
def test_every_rule_quotes_its_seed_and_the_silences_are_stated(name):
    pack = presets.read_pack(name)
    assert "seed" in pack["description"] and "silent" in pack["description"]
    for spec in pack["rules"]:
        assert "seed" in spec["source"], spec["code"]
        assert spec["quotes"], spec["code"]
        for quote in spec["quotes"]:
            seed_says(quote["seed"], quote["quote"])


def test_cs_staff_ten_yuan_per_complaint_is_the_seed_s():
    """Seed 001 #9 六、1: 最低罚款10元/次 — both for a customer's and a salesperson's complaint."""
    for code in ("cs_complaint_against", "cs_complaint_by_sales"):
        spec = rule("cs_staff", code)
        (quote,) = spec["quotes"]
        assert Decimal(spec["amount"]) == Decimal(re.search(r"最低罰款(\d+)元/次", quote["quote"]).group(1))
        assert spec["cost"] == "yuan"
    assert rule("cs_staff", "cs_complaint_against")["fact"] == "complaint_against"


def test_real_estate_fifty_percent_of_the_bonus_is_the_seed_s():
    serious = rule("realestate_sales", "re_neglect_serious")
    assert Decimal(serious["amount"]) == Decimal(
        re.search(r"獎金的(\d+)%", serious["quotes"][0]["quote"]).group(1)
    )
    provoking = rule("realestate_sales", "re_provoking_dispute")
    assert Decimal(provoking["amount"]) == Decimal(
        re.search(r"成交獎金的(\d+)%", provoking["quotes"][0]["quote"]).group(1)
    )
    assert serious["cost"] == provoking["cost"] == "bonus_percent"
    description = presets.read_pack("realestate_sales")["description"]
    assert "NOT carried" in description and "basic wage" in description  # what Kesu cannot hold


def test_two_complaints_against_a_cs_clerk_cost_twenty_yuan(org, capsys):
    apply_preset(name="liquor")
    call_command("rulepack", "cs_staff")
    assert "cs_complaint_against" in capsys.readouterr().out
    with time_machine.travel(local(2026, 11, 5), tick=False):
        for _ in range(2):
            complaint_services.register_complaint(
                by=org.director,
                intake=intake(
                    category=Category.objects.filter(is_active=True).first(), received_at=local(2026, 11, 5)
                ),
                accused_staff=[org.clerk],
            )
    with time_machine.travel(local(2026, 12, 10), tick=False):
        services.draft_month(month=NOVEMBER, by=None)
    lines = SheetLine.objects.filter(staff=org.clerk, rule__code="cs_complaint_against")
    assert [line.yuan for line in lines] == [Decimal("-10.00"), Decimal("-10.00")]
    assert (
        Rule.objects.filter(is_active=True).exclude(code__startswith="cs_").exists()
    )  # the rule book's stay


def test_a_serious_neglect_of_a_customer_costs_half_the_month_s_bonus(org):
    apply_preset(name="furniture")
    presets.load_pack("realestate_sales")
    terms(org.outsider, "1", "3000.00")
    with time_machine.travel(local(2026, 11, 20), tick=False):
        services.record_finding(
            month=NOVEMBER,
            rule=Rule.objects.get(code="re_neglect_serious"),
            by=org.gm,
            staff=org.outsider,
            reason="冷落来访客户并与其争执",
            evidence="来人登记表与现场录像",
        )
    with time_machine.travel(local(2026, 12, 10), tick=False):
        services.draft_month(month=NOVEMBER, by=None)
    line = SheetLine.objects.get(staff=org.outsider, rule__code="re_neglect_serious")
    assert line.yuan == Decimal("-1500.00") and "¥3 000.00 × 50 %" in line.arithmetic


def test_a_bonus_percentage_over_100_or_on_a_department_is_refused(org):
    apply_preset(name="furniture")
    bad = Rule(
        code="too_much", name="x", fact="manual", cost="bonus_percent", amount=Decimal("120"), target="named"
    )
    with pytest.raises(ValidationError) as too_much:
        bad.full_clean()
    assert "amount" in too_much.value.message_dict
    department = Rule(
        code="dept",
        name="x",
        fact="complaint_received",
        cost="bonus_percent",
        amount=Decimal("10"),
        target="department",
    )
    with pytest.raises(ValidationError) as not_a_person:
        department.full_clean()
    assert "cost" in not_a_person.value.message_dict


def test_an_unknown_pack_is_refused_and_saves_nothing(org):
    apply_preset(name="furniture")
    before = Rule.objects.count()
    with pytest.raises(CommandError, match="cs_staff"):
        call_command("rulepack", "nope")
    assert Rule.objects.count() == before


def test_the_cli_lists_the_packs(capsys):
    call_command("rulepack", "--list")
    assert capsys.readouterr().out.split() == ["cs_staff", "realestate_sales"]
