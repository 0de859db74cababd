"""Approval rules in the admin and in the presets: validated alike, never half-saved, and the
presets' values as their seeds state them (or as clearly labelled examples where a seed is silent)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kesu.approvals.models import ApprovalApprover, ApprovalRule
from kesu.approvals.presets import load_approval_rules
from kesu.organization.models import Role
from kesu.rulebook.services import apply_preset, read_preset

SEEDS = Path("/work/shared/seeds")


@pytest.fixture
def root(org) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(get_user_model().objects.create_superuser("root", password="pass-root"))
    return client


def _form(step="decision", low="", high="", rows=()):
    data = {
        "step": step,
        "category": "",
        "amount_from": low,
        "amount_to": high,
        "source": "公司核决权限表",
        "approvers-TOTAL_FORMS": str(len(rows)),
        "approvers-INITIAL_FORMS": "0",
        "approvers-MIN_NUM_FORMS": "0",
        "approvers-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        full = {"level": "1", "mode": "any", "role": "", "scope": "any", "department_code": "", "staff": ""}
        full.update(row)
        data.update({f"approvers-{i}-{k}": v for k, v in full.items()})
    return data


def _errors(page) -> str:
    context = page.context
    texts = [str(context["adminform"].form.errors)]
    for formset in context["inline_admin_formsets"]:
        texts += [str(formset.formset.non_form_errors()), str(formset.formset.errors)]
    return " ".join(texts)


@pytest.mark.django_db
def test_the_admin_saves_a_rule_with_its_levels(root):
    ApprovalRule.objects.all().delete()
    page = root.post(
        reverse("admin:approvals_approvalrule_add"),
        _form(
            low="0",
            high="5000",
            rows=[
                {"role": Role.VICE_PRESIDENT, "mode": "all"},
                {
                    "role": Role.DEPARTMENT_HEAD,
                    "scope": "department",
                    "department_code": "quality",
                    "mode": "all",
                },
                {"role": Role.GENERAL_MANAGER, "level": "2"},
            ],
        ),
    )
    assert page.status_code == 302, _errors(page)
    rule = ApprovalRule.objects.get()
    assert (rule.amount_from, rule.amount_to) == (Decimal("0"), Decimal("5000"))
    assert [(a.level, a.mode, a.role) for a in rule.approvers.all()] == [
        (1, "all", Role.VICE_PRESIDENT),
        (1, "all", Role.DEPARTMENT_HEAD),
        (2, "any", Role.GENERAL_MANAGER),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("low", "high", "rows", "message"),
    [
        ("4000", "6000", [{"role": "general_manager"}], "overlaps"),  # overlaps the saved [0, 5000)
        ("", "100", [{"role": "general_manager"}], "overlaps"),  # empty from = 0
        ("5000", "5000", [{"role": "general_manager"}], "greater than the lower bound"),
        ("9000", "7000", [{"role": "general_manager"}], "greater than the lower bound"),
        ("-1", "", [{"role": "general_manager"}], "greater than or equal to 0"),
        ("5000", "", [], "at least one approver"),
        ("5000", "", [{"role": "chairman"}], "not one of the available choices"),
        ("5000", "", [{"role": "general_manager", "level": "2"}], "Level 1 has no approver"),
        ("5000", "", [{"role": "general_manager"}, {"role": "vice_president", "mode": "all"}], "disagree"),
        ("5000", "", [{"department_code": "sales"}], "either a role or a person"),
        ("5000", "", [{"role": "department_head", "scope": "department"}], "Name the department"),
    ],
)
def test_the_admin_refuses_a_bad_rule_and_saves_nothing(root, low, high, rows, message):
    ApprovalRule.objects.all().delete()
    ApprovalRule.objects.create(step="decision", amount_from=Decimal(0), amount_to=Decimal(5000))
    page = root.post(reverse("admin:approvals_approvalrule_add"), _form(low=low, high=high, rows=rows))
    assert page.status_code == 200
    assert message in _errors(page)
    assert ApprovalRule.objects.count() == 1 and not ApprovalApprover.objects.exists()


@pytest.mark.django_db
def test_adjacent_ranges_and_other_steps_or_classes_do_not_overlap(org):
    ApprovalRule.objects.all().delete()
    ApprovalRule.objects.create(step="decision", amount_from=Decimal(0), amount_to=Decimal(5000))
    ApprovalRule(step="decision", amount_from=Decimal(5000)).full_clean()  # to is exclusive
    ApprovalRule(step="transfer", amount_from=Decimal(0)).full_clean()
    with pytest.raises(ValidationError):
        ApprovalRule(step="decision", amount_from=Decimal("4999.99")).full_clean()


def _bad(**change):
    spec = {"step": "decision", "levels": [{"mode": "any", "approvers": [{"role": "general_manager"}]}]}
    spec.update(change)
    return spec


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([_bad(amount_to="5000"), _bad(amount_from="4000")], "overlaps"),
        ([_bad(levels=[{"mode": "any", "approvers": [{"role": "chairman"}]}])], "not a valid choice"),
        (
            [
                _bad(
                    levels=[
                        {"mode": "any", "approvers": [{"role": "general_manager"}]},
                        {"mode": "any", "approvers": []},
                    ]
                )
            ],
            "Level 2 has no approver",
        ),
        ([_bad(levels=[])], "Level 1 has no approver"),
        ([_bad(amount_from="-5")], "greater than or equal to 0"),
        ([_bad(amount_from="50", amount_to="50")], "greater than the lower bound"),
        ([_bad(category="no_such_class")], "Unknown class"),
        ([_bad(amount_to="abc")], "Not an amount"),
    ],
)
def test_the_preset_loader_refuses_a_bad_section_and_saves_nothing(org, specs, message):
    before = list(ApprovalRule.objects.values_list("pk", flat=True))
    assert before  # the default preset's rules
    with pytest.raises(ValidationError) as caught, transaction.atomic():
        load_approval_rules({"approval_rules": specs})
    assert message in str(caught.value)
    assert list(ApprovalRule.objects.values_list("pk", flat=True)) == before


def _loaded() -> list[tuple]:
    return [
        (
            r.step,
            r.category.code if r.category else None,
            r.amount_from,
            r.amount_to,
            tuple((a.level, a.mode, a.role, a.scope, a.department_code) for a in r.approvers.all()),
        )
        for r in ApprovalRule.objects.all()  # ordered by step, class, amount (an empty from first)
    ]


def _stated(name: str) -> list[tuple]:
    def amount(value):
        return None if value is None else Decimal(value)

    rows = [
        (
            spec["step"],
            spec.get("category"),
            amount(spec.get("amount_from")),
            amount(spec.get("amount_to")),
            tuple(
                (n, level["mode"], a["role"], a.get("scope", "any"), a.get("department", ""))
                for n, level in enumerate(spec["levels"], start=1)
                for a in level["approvers"]
            ),
        )
        for spec in read_preset(name)["approval_rules"]
    ]
    return sorted(rows, key=lambda r: (r[0], r[1] or "", r[2] or Decimal(-1)))


@pytest.mark.django_db
def test_pcb_preset_loads_the_seed_authorities_with_example_thresholds(org):
    """seed 002 （九）6: 「依據核決權限分送業務部經理、副總經理或總經理核決」 — the sales manager (head of
    the sales department), the vice president or the general manager, by amount; its (十一)
    客戶投訴金額核決權限 gives no amounts, so the preset's thresholds are labelled examples."""
    apply_preset(name="pcb")
    assert _loaded() == _stated("pcb")
    assert _loaded() == [
        # seed 002 (十三)1(1): the allowance certificate is signed by the manager, then the (vice) GM
        (
            "credit_note",
            None,
            None,
            None,
            (
                (1, "any", "department_head", "department", "sales"),
                (2, "any", "general_manager", "any", ""),
                (2, "any", "vice_president", "any", ""),
            ),
        ),
        ("decision", None, None, Decimal("5000.00"), ((1, "any", "department_head", "department", "sales"),)),
        (
            "decision",
            None,
            Decimal("5000.00"),
            Decimal("50000.00"),
            ((1, "any", "vice_president", "any", ""),),
        ),
        ("decision", None, Decimal("50000.00"), None, ((1, "any", "general_manager", "any", ""),)),
    ]
    for spec in read_preset("pcb")["approval_rules"]:
        if spec["step"] != "decision":
            continue  # the credit note's approvers are the seed's, for any amount
        assert spec["example_amounts"] is True
        assert "EXAMPLE" in spec["source"] and "must replace" in spec["source"]


@pytest.mark.django_db
def test_furniture_preset_has_the_general_manager_approve_the_handling_opinion(org):
    """seed 000 4.2.3.1⑥ and 4.2.3.2 3): the opinion in the 投诉调查处理意见 column is carried out
    「經總經理審批后執行」; 4.2.3.3 4) submits the quality opinion 「提交審批」 without naming who."""
    apply_preset(name="furniture")
    assert _loaded() == _stated("furniture")
    assert {code for _s, code, *_rest in _loaded()} == {"grievance", "suggestion", "product_quality"}
    quality = next(
        s for s in read_preset("furniture")["approval_rules"] if s["category"] == "product_quality"
    )
    assert "does NOT name the approver" in quality["source"]


@pytest.mark.parametrize("name", ["pcb", "furniture"])
def test_the_rules_quote_their_seed_word_for_word(name):
    for spec in read_preset(name)["approval_rules"]:
        assert "seed" in spec["source"] and spec["quotes"]
        if not SEEDS.is_dir():
            pytest.skip("the seed texts are not on this machine")
        for quote in spec["quotes"]:
            assert quote["quote"] in (SEEDS / quote["seed"]).read_text(encoding="utf-8")
