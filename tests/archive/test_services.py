"""The archive's services and selectors (issue 11 §1–§2): numbers by the rule book's pattern,
profiles as the rule book defines them, corrections with old and new value, the type-ahead by
phone fragment, the duplicate warning and the customer's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kesu.archive import selectors, services
from kesu.archive.models import ArchiveChange, ArchiveRules, CustomerArchive, CustomerClass
from kesu.complaints.models import Complaint
from kesu.customers.models import Customer, phone_digits
from kesu.workcalendar.selectors import get_calendar


def test_phone_digits_drop_separators_and_fold_full_width_digits():
    assert phone_digits("021-6234 5678") == "02162345678"
    assert phone_digits("(0571) 8888.1234") == "057188881234"
    assert phone_digits("１３８００") == "13800"
    assert phone_digits("") == ""


def test_a_new_customer_is_numbered_by_the_rule_books_pattern(org, dealer, buyer):
    """Seed 001 客户管理制度1 一、1: 将所有客户资料进行编号 (the preset's pattern KH{YYYY}{SEQ:5})."""
    year = timezone.localdate().year
    assert dealer.number == f"KH{year}00001"
    assert buyer.number == f"KH{year}00002"
    assert dealer.customer.phone_digits == "02162345678"
    assert ArchiveRules.current().numbering_pattern == "KH{YYYY}{SEQ:5}"


def test_a_caller_created_at_the_desk_is_due_for_registration_in_the_rule_books_working_days(org, dealer):
    """Seed 002 客户管理管理制度通用5 1.4: 须在5个工作日内…备案 — the furniture preset keeps 5 (silent)."""
    rules = ArchiveRules.current()
    expected = get_calendar().add_working_days(timezone.localdate(), rules.registration_working_days)
    assert dealer.registration_due == expected and dealer.registered_at is None


def test_an_overdue_registration_is_listed_for_the_reminder_until_registered(org, dealer):
    CustomerArchive.objects.filter(pk=dealer.pk).update(
        registration_due=timezone.localdate() - timedelta(days=1)
    )
    rows, count = selectors.overdue_registrations()
    assert [a.number for a in rows] == [dealer.number] and count == "1"
    services.mark_registered(archive=dealer, by=org.clerk)
    assert selectors.overdue_registrations() == ([], "")


def test_an_unknown_profile_field_is_refused_and_nothing_is_saved(org):
    with pytest.raises(ValidationError) as error:
        services.create_customer(by=org.clerk, name="某公司", profile={"shoe_size": "42"})
    assert "profile.shoe_size" in error.value.message_dict
    assert not Customer.objects.filter(name="某公司").exists()


def test_a_profile_value_follows_its_field_type(org):
    with pytest.raises(ValidationError) as error:
        services.create_customer(
            by=org.clerk, name="某公司", profile={"registered_capital": "很多", "legal_representative": 5}
        )
    assert set(error.value.message_dict) == {"profile.registered_capital", "profile.legal_representative"}
    archive = services.create_customer(by=org.clerk, name="某公司", profile={"registered_capital": "500000"})
    assert archive.profile == {"registered_capital": "500000.00"}


@pytest.mark.parametrize("phone", ["abc", "12", "1" * 25, "138-0000-0000; DROP"])
def test_a_malformed_phone_is_refused(org, phone):
    with pytest.raises(ValidationError) as error:
        services.create_customer(by=org.clerk, name="某公司", phone=phone)
    assert "phone" in error.value.message_dict


def test_only_the_desk_keeps_the_archive(org):
    with pytest.raises(services.NotAKeeper):
        services.create_customer(by=org.production_handler, name="某公司")


def test_a_correction_keeps_old_and_new_value_who_when_and_why(org, dealer):
    """Seed 001 #4: the original is never overwritten silently."""
    written = services.correct(
        archive=dealer,
        by=org.clerk,
        changes={
            "phone": "021-6234 0000",
            "profile.legal_representative": "陈锦程",
            "name": "上海锦程家居有限公司",
        },
        reason="客户来电更正",
    )
    assert {(c.field, c.old, c.new) for c in written} == {
        ("phone", "021-6234 5678", "021-6234 0000"),
        ("profile.legal_representative", "", "陈锦程"),
    }
    change = ArchiveChange.objects.get(archive=dealer, field="phone")
    assert change.by == org.clerk and change.reason == "客户来电更正" and change.at is not None
    dealer.customer.refresh_from_db()
    assert dealer.customer.phone_digits == "02162340000"
    with pytest.raises(ValidationError) as error:
        services.correct(
            archive=dealer, by=org.clerk, changes={"profile.nope": "x", "colour": "red"}, reason="x"
        )
    assert set(error.value.message_dict) == {"changes.profile.nope", "changes.colour"}
    with pytest.raises(ValidationError):
        services.correct(archive=dealer, by=org.clerk, changes={"phone": "1"}, reason="")


def test_class_grade_and_credit_keep_their_history(org, dealer):
    CustomerClass.objects.get_or_create(scheme="class", code="key", defaults={"name": "重要客户"})
    services.classify(
        archive=dealer,
        by=org.clerk,
        changes={"customer_class": "key", "credit_limit": "50000"},
        reason="年度评定",
    )
    services.classify(archive=dealer, by=org.clerk, changes={"credit_limit": "80000.50"}, reason="追加")
    history = selectors.class_history(dealer.customer)
    assert [(c.field, c.old, c.new) for c in history if c.field == "credit_limit"] == [
        ("credit_limit", "50000.00", "80000.50"),
        ("credit_limit", None, "50000.00"),
    ]
    with pytest.raises(ValidationError) as error:
        services.classify(
            archive=dealer,
            by=org.clerk,
            changes={"customer_class": "vip", "credit_limit": "1.234"},
            reason="x",
        )
    assert set(error.value.message_dict) == {"changes.customer_class", "changes.credit_limit"}


@pytest.mark.parametrize("typed", ["6234", "162345", "021-6234", "6234 5678", "02162345678"])
def test_the_type_ahead_finds_the_caller_by_any_phone_fragment_with_or_without_separators(
    org, dealer, buyer, typed
):
    assert [c.name for c in selectors.lookup(typed)] == ["上海锦程家居有限公司"]


def test_the_type_ahead_finds_by_name_contact_customer_and_archive_number(org, dealer, buyer):
    assert [c.name for c in selectors.lookup("锦程")] == ["上海锦程家居有限公司"]
    assert [c.name for c in selectors.lookup("陈经理")] == ["上海锦程家居有限公司"]
    assert [c.name for c in selectors.lookup(buyer.number)] == ["刘建华"]
    assert [c.name for c in selectors.lookup(buyer.customer.code)] == ["刘建华"]
    assert selectors.lookup("12") == [] and selectors.lookup("\x00") == [] and selectors.lookup("") == []


def test_a_contacts_phone_finds_the_customer(org, dealer):
    services.add_contact(archive=dealer, by=org.clerk, name="小王", phone="139-1111-2222")
    assert [c.name for c in selectors.lookup("1111222")] == ["上海锦程家居有限公司"]


def test_a_phone_change_is_found_by_its_new_digits_only(org, buyer):
    services.correct(archive=buyer, by=org.clerk, changes={"phone": "0755 8765 4321"}, reason="换号")
    assert selectors.lookup("87654321") and not selectors.lookup("12345678")


def test_a_complaint_from_the_same_customer_phone_or_order_within_the_window_is_a_possible_duplicate(
    org, register, dealer
):
    first = register(customer=dealer.customer, complainant_phone="13900001111", order_number="SO-1")
    by_customer, rules = selectors.duplicates(staff=org.clerk, customer=dealer.customer)
    assert [c.number for c in by_customer] == [first.number]
    assert [
        c.number for c in selectors.duplicates(staff=org.clerk, customer=None, phone="13900001111")[0]
    ] == [first.number]
    assert [
        c.number for c in selectors.duplicates(staff=org.clerk, customer=None, order_number="SO-1")[0]
    ] == [first.number]
    later = timezone.now() + timedelta(days=rules.duplicate_window_days + 1)
    assert selectors.duplicates(staff=org.clerk, customer=dealer.customer, now=later)[0] == []
    assert selectors.duplicates(staff=org.clerk, customer=None, phone="13900009999")[0] == []


def test_the_card_shows_open_and_past_complaints_and_last_contacts(org, register, dealer):
    complaint = register(customer=dealer.customer)
    services.log_contact(archive=dealer, by=org.clerk, kind="call", summary="客户来电询问进度")
    card = selectors.card(dealer.customer, staff=org.clerk)
    assert [c.number for c in card.open_complaints] == [complaint.number]
    assert [e.summary for e in card.last_contacts] == ["客户来电询问进度"]
    assert [c.name for c in card.contacts] == ["陈经理"]


def _timeline_queries(customer, staff) -> int:
    with CaptureQueriesContext(connection) as queries:
        items = selectors.timeline(customer, staff=staff)
        assert items
    return len(queries)


def test_the_customer_timeline_reads_a_constant_number_of_queries(org, register, dealer):
    register(customer=dealer.customer)
    services.log_contact(archive=dealer, by=org.clerk, kind="visit", summary="上门")
    few = _timeline_queries(dealer.customer, org.clerk)
    for _ in range(30):
        register(customer=dealer.customer)
        services.log_contact(archive=dealer, by=org.clerk, kind="call", summary="来电")
    assert _timeline_queries(dealer.customer, org.clerk) == few
    kinds = {i.kind for i in selectors.timeline(dealer.customer, staff=org.clerk)}
    assert kinds == {"complaint", "contact", "change"}
    assert Complaint.objects.filter(customer=dealer.customer).count() == 31


def test_a_department_sees_only_its_complaints_on_the_card(org, register, dealer):
    register(customer=dealer.customer)
    assert selectors.card(dealer.customer, staff=org.production_handler).open_complaints == []
    assert selectors.duplicates(staff=org.production_handler, customer=dealer.customer)[0] == []


def test_a_contact_in_the_future_or_of_an_unknown_kind_is_refused(org, dealer):
    with pytest.raises(ValidationError) as error:
        services.log_contact(
            archive=dealer,
            by=org.clerk,
            kind="pigeon",
            summary="",
            at=(timezone.now() + timedelta(days=2)).isoformat(),
        )
    assert set(error.value.message_dict) == {"kind", "summary", "at"}
