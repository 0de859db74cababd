"""Complaint numbers: the presets' patterns, resets, widening, validation, gap-free on rollback."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kesu.complaints import services
from kesu.complaints.models import Category, Complaint
from kesu.rulebook.models import RuleBook
from kesu.rulebook.numbering import format_number, validate_pattern
from kesu.rulebook.services import UnknownPreset, apply_preset
from tests.conftest import intake

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def register_on(org, moment: datetime) -> Complaint:
    return services.register_complaint(by=org.clerk, intake=intake(received_at=moment), now=moment)


def test_furniture_seed_example_99th_of_2010(org):
    # given 98 complaints earlier in 2010 (the count runs over the whole year, not the day)
    for i in range(98):
        register_on(org, at(2010, 1 + i % 8, 1 + i % 28))
    # when the 99th is registered on 2010-09-12
    complaint = register_on(org, at(2010, 9, 12))
    # then it is numbered as seed 000 says
    assert complaint.number == "100912099"


def test_furniture_resets_yearly(org):
    assert register_on(org, at(2025, 12, 31)).number == "251231001"
    assert register_on(org, at(2026, 1, 1)).number == "260101001"
    assert register_on(org, at(2026, 1, 2)).number == "260102002"


def test_numbering_uses_the_local_date(org):
    # 2026-03-01 23:30 in Shanghai is still 2026-03-01 there (15:30 UTC)
    assert register_on(org, datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)).number == "260301001"


def test_pcb_resets_monthly(org):
    apply_preset(name="pcb")
    quality = Category.objects.get(code="quality_electrical")
    numbers = [
        services.register_complaint(
            by=org.clerk, intake=intake(received_at=m, category=quality), now=m
        ).number
        for m in [at(2026, 10, 3), at(2026, 10, 30), at(2026, 11, 1)]
    ]
    # seed 002 (八): 年度(××)月份(××)流水编号(××) — a 2-digit serial, reset every month
    assert numbers == ["261001", "261002", "261101"]


def test_sequence_widens_instead_of_wrapping(org):
    RuleBook.objects.update(numbering_pattern="KS{YY}-{SEQ:1}", numbering_reset="yearly")
    numbers = [register_on(org, at(2026, 5, 1)).number for _ in range(11)]
    assert numbers[8:] == ["KS26-9", "KS26-10", "KS26-11"]
    assert len(set(numbers)) == 11


def test_a_failed_registration_returns_its_number(org, monkeypatch):
    register_on(org, at(2026, 5, 1))

    def broken_event(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_event", broken_event)
    with pytest.raises(RuntimeError):
        register_on(org, at(2026, 5, 1))
    monkeypatch.undo()
    assert register_on(org, at(2026, 5, 2)).number == "260502002"
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize(
    "pattern, reset, problem",
    [
        ("{YY}{MM}{DD}", "yearly", "SEQ"),
        ("{YY}{SEQ:3}{SEQ:2}", "yearly", "SEQ"),
        ("{YY}{MM}{SEQ:0}", "monthly", "SEQ"),
        ("{MM}{DD}{SEQ:3}", "yearly", "YY"),
        ("{YY}{SEQ:3}", "monthly", "MM"),
        ("{YY}{MM}{SEQ:3}", "daily", "DD"),
        ("{YY}{QQ}{SEQ:3}", "yearly", "QQ"),
        ("{YY}{SEQ:3}-X", "yearly", "last"),
    ],
)
def test_patterns_that_could_repeat_numbers_are_refused(pattern, reset, problem):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            validate_pattern(pattern, reset)
        assert problem in str(error.value.message_dict["numbering_pattern"])


def test_format_tokens():
    assert format_number("KS-{YYYY}{MM}{DD}-{SEQ:4}", date(2026, 2, 9), 7) == "KS-20260209-0007"


def test_rule_book_is_validated_when_saved_in_the_admin(db):
    rulebook = RuleBook.current()
    rulebook.numbering_pattern = "{MM}{SEQ:3}"
    with pytest.raises(ValidationError):
        rulebook.full_clean()


def test_presets(db):
    assert RuleBook.current().preset == "furniture"
    assert list(Category.objects.filter(is_active=True).values_list("name", flat=True)) == [
        "抱怨类",
        "建议类",
        "产品质量类",
        "外观包装类",
        "服务质量类",
    ]
    apply_preset(name="pcb")
    rulebook = RuleBook.current()
    assert (rulebook.numbering_pattern, rulebook.numbering_reset) == ("{YY}{MM}{SEQ:2}", "monthly")
    active = Category.objects.filter(is_active=True)
    assert set(active.filter(parent=None).values_list("code", flat=True)) == {"quality", "non_quality"}
    assert not Category.objects.get(code="grievance").is_active  # kept for old complaints, not offered
    with pytest.raises(UnknownPreset):
        apply_preset(name="bakery")


def test_text_after_the_sequence_is_kept(org):
    # a never-resetting sequence may sit before the date (the database writes the number: the
    # text on both sides of the sequence must survive, and the sequence widens, not wraps)
    RuleBook.objects.update(numbering_pattern="KS{SEQ:1}/{YYYY}{MM}", numbering_reset="never")
    numbers = [register_on(org, at(2026, 5, 1)).number for _ in range(10)]
    assert numbers[0] == "KS1/202605"
    assert numbers[9] == "KS10/202605"
