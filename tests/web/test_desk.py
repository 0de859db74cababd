"""The complaint list as a desk works it (issue 12 §5): a subject column, sorting on every column,
several statuses at once, the channel, handler, customer and "assigned to me" filters, saved
filters per staff member, a workbench panel in full ("view all"), and the GM's bulk approval of
proposed transfers — each still checked and recorded on its own complaint's timeline."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from kesu.complaints.models import Complaint, ComplaintEvent, SavedFilter, Status
from kesu.complaints.selectors import SORTS
from kesu.customers.models import Customer
from tests.conftest import advance, local

LIST = "/complaints/"


def numbers(html: str) -> list[str]:
    """The complaint numbers the list shows, in order."""
    return re.findall(r'<a class="number" href="/complaints/([^/]+)/">', html)


@pytest.fixture
def three(org, register):
    """Three complaints: 刘 (accepted by production, handler 周师傅), 张 (classified, by e-mail, of
    customer 华东家居), 王 (registered)."""
    east = Customer.objects.create(code="C-EAST", name="华东家居有限公司")
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        liu = register(complainant_name="刘先生", description="沙发扶手开裂")
        zhang = register(complainant_name="张女士", description="包装破损", channel="email", customer=east)
        wang = register(complainant_name="王先生", description="安装延误", category=None)
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        liu = advance(liu, org, Status.ACCEPTED)
        zhang = advance(zhang, org, Status.CLASSIFIED)
    return liu, zhang, wang


def test_the_list_shows_the_subject_channel_and_handler(as_user, org, three):
    html = as_user(org.clerk).get(LIST).content.decode()
    assert "沙发扶手开裂" in html and "包装破损" in html
    assert "电子邮件" in html or "E-mail" in html
    assert org.production_handler.display_name in html


@pytest.mark.parametrize("key", sorted(SORTS))
def test_every_column_sorts_both_ways(as_user, org, three, key):
    client = as_user(org.clerk)
    up = client.get(LIST, {"sort": key})
    down = client.get(LIST, {"sort": f"-{key}"})
    assert up.status_code == down.status_code == 200
    assert sorted(numbers(up.content.decode())) == sorted(c.number for c in three)
    assert len(numbers(down.content.decode())) == 3
    # the heading says which order is in force, for eyes and screen readers
    assert 'aria-sort="ascending"' in up.content.decode()
    assert 'aria-sort="descending"' in down.content.decode()


def test_sorting_by_complainant_and_by_handler(as_user, org, three):
    liu, zhang, wang = three
    client = as_user(org.clerk)
    by_name = numbers(client.get(LIST, {"sort": "complainant"}).content.decode())
    names = [Complaint.objects.get(number=n).complainant_name for n in by_name]
    assert names == sorted(names)
    # no handler comes last both ways
    assert numbers(client.get(LIST, {"sort": "handler"}).content.decode())[0] == liu.number
    assert numbers(client.get(LIST, {"sort": "-handler"}).content.decode())[0] == liu.number


def test_several_statuses_at_once(as_user, org, three):
    liu, zhang, wang = three
    html = as_user(org.clerk).get(LIST, {"status": ["accepted", "registered"]}).content.decode()
    assert sorted(numbers(html)) == sorted([liu.number, wang.number])


def test_an_empty_status_is_no_filter(as_user, org, three):
    assert len(numbers(as_user(org.clerk).get(LIST, {"status": ""}).content.decode())) == 3


def test_channel_customer_handler_and_mine(as_user, org, three):
    liu, zhang, wang = three
    client = as_user(org.clerk)
    assert numbers(client.get(LIST, {"channel": "email"}).content.decode()) == [zhang.number]
    assert numbers(client.get(LIST, {"customer": "C-EAST"}).content.decode()) == [zhang.number]
    assert numbers(client.get(LIST, {"customer": "华东"}).content.decode()) == [zhang.number]
    assert numbers(client.get(LIST, {"customer": "没有这个客户"}).content.decode()) == []
    handler = org.production_handler.pk
    assert numbers(client.get(LIST, {"handler": handler}).content.decode()) == [liu.number]
    # "assigned to me": the handler sees theirs, the clerk (handler of nothing) none
    assert numbers(client.get(LIST, {"mine": "on"}).content.decode()) == []
    client = as_user(org.production_handler)
    assert numbers(client.get(LIST, {"mine": "on"}).content.decode()) == [liu.number]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "password"},
        {"status": ["accepted", "nonsense"]},
        {"channel": "pigeon"},
        {"handler": "abc"},
        {"handler": "99999999999999"},
        {"customer": "客" * 101},
        {"panel": "everything"},
        {"mine": "\x00"},
    ],
)
def test_bad_filters_are_a_400_naming_the_filter_never_a_500(as_user, org, three, params):
    response = as_user(org.clerk).get(LIST, params)
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert "errors" in response.content.decode()


def test_a_workbench_panel_in_full(as_user, org, three):
    client = as_user(org.production_head)
    workbench = client.get("/").content.decode()
    assert 'href="/complaints/?panel=my-tasks"' in workbench
    liu, _zhang, _wang = three
    listed = numbers(client.get(LIST, {"panel": "my-tasks"}).content.decode())
    assert listed == [liu.number]


def test_the_workbench_count_is_the_true_count_beyond_twenty(as_user, org, register):
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        for _ in range(23):
            register()
    html = as_user(org.clerk).get("/").content.decode()
    assert re.search(r'id="registered-today".*?<span class="count">23</span>', html, re.S) or re.search(
        r'id="my-tasks".*?<span class="count">23</span>', html, re.S
    )
    assert len(numbers(as_user(org.clerk).get(LIST, {"panel": "my-tasks"}).content.decode())) == 23


# ---------------------------------------------------------------------------------------------
# Saved filters (常用筛选)


def test_a_saved_filter_is_kept_for_its_owner_only(as_user, org, three):
    client = as_user(org.clerk)
    response = client.post(
        reverse("saved-filter-add"), {"name": "邮件投诉", "query": "channel=email&sort=-received"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(staff=org.clerk)
    assert saved.query == "channel=email&sort=-received"
    html = client.get(LIST).content.decode()
    assert "邮件投诉" in html and f'href="/complaints/?{saved.query.replace("&", "&amp;")}"' in html
    # the same name replaces
    client.post(reverse("saved-filter-add"), {"name": "邮件投诉", "query": "channel=phone"}, follow=True)
    assert SavedFilter.objects.get(staff=org.clerk).query == "channel=phone"
    # another person does not see it and cannot delete it
    other = as_user(org.director)
    assert "邮件投诉" not in other.get(LIST).content.decode()
    assert other.post(reverse("saved-filter-delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    client = as_user(org.clerk)
    assert client.post(reverse("saved-filter-delete", args=[saved.pk])).status_code == 302
    assert not SavedFilter.objects.exists()


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("", "channel=email"),
        ("x" * 61, "channel=email"),  # the documented limit: filter name, 60
        ("坏的", "channel=pigeon"),
        ("坏的", "received_from=2026-12-01&received_to=2026-11-01"),
    ],
)
def test_a_bad_saved_filter_is_refused_with_a_message(as_user, org, name, query):
    client = as_user(org.clerk)
    response = client.post(reverse("saved-filter-add"), {"name": name, "query": query}, follow=True)
    assert response.status_code in {200, 400}
    assert "筛选未保存" in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_saved_filters_refuse_get(as_user, org):
    assert as_user(org.clerk).get(reverse("saved-filter-add")).status_code == 405


# ---------------------------------------------------------------------------------------------
# The GM's bulk approval of transfers (总经理批量审批转交)


@pytest.fixture
def proposed(org, register):
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaints = [register(complainant_name=f"客户{i}") for i in range(3)]
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        return [advance(c, org, Status.TRANSFER_PROPOSED) for c in complaints]


def test_the_gm_approves_several_transfers_each_on_its_own_timeline(as_user, org, proposed, register):
    client = as_user(org.gm)
    html = client.get(LIST, {"status": "transfer_proposed"}).content.decode()
    assert 'id="bulk-approve"' in html
    assert html.count('name="number"') == 3
    first, second, stale = proposed
    # the third changed after the GM loaded the list
    with time_machine.travel(local(2026, 11, 16, 11), tick=False):
        advance_version = stale.version
        Complaint.objects.filter(pk=stale.pk).update(version=advance_version + 1)
        not_proposed = register()
    data = {
        "number": [first.number, second.number, stale.number, not_proposed.number, "nosuch"],
        f"version-{first.number}": first.version,
        f"version-{second.number}": second.version,
        f"version-{stale.number}": advance_version,
        f"version-{not_proposed.number}": not_proposed.version,
    }
    response = client.post(reverse("complaint-bulk-approve-transfers"), data)
    assert response.status_code == 200
    page = response.content.decode()
    rows = dict(
        re.findall(r'<tr class="(done|refused)" data-number="([^"]+)"', page)[i][::-1] for i in range(5)
    )
    assert rows == {
        first.number: "done",
        second.number: "done",
        stale.number: "refused",
        not_proposed.number: "refused",
        "nosuch": "refused",
    }
    for complaint in (first, second):
        complaint.refresh_from_db()
        assert complaint.status == Status.TRANSFER_APPROVED
        assert (
            ComplaintEvent.objects.filter(
                complaint=complaint, action="approve_transfer", actor=org.gm
            ).count()
            == 1
        )
    stale.refresh_from_db()
    assert stale.status == Status.TRANSFER_PROPOSED
    assert not ComplaintEvent.objects.filter(complaint=stale, action="approve_transfer").exists()


def test_nobody_else_approves_transfers_in_bulk(as_user, org, proposed):
    client = as_user(org.clerk)
    assert 'id="bulk-approve"' not in client.get(LIST).content.decode()
    data = {"number": [c.number for c in proposed]}
    response = client.post(reverse("complaint-bulk-approve-transfers"), data)
    assert response.status_code == 409  # nothing done, and the page says why for each
    assert response.content.decode().count('class="refused"') == 3
    assert all(Complaint.objects.get(pk=c.pk).status == Status.TRANSFER_PROPOSED for c in proposed)


def test_bulk_approval_with_nothing_selected_says_so(as_user, org):
    response = as_user(org.gm).post(reverse("complaint-bulk-approve-transfers"), {}, follow=True)
    assert "请至少选择一条投诉" in response.content.decode()


def test_a_sorted_list_keeps_its_order_when_filtered_again(as_user, org, three):
    # the filter form carries the order chosen by a column heading
    html = as_user(org.clerk).get(LIST, {"sort": "-complainant"}).content.decode()
    assert re.search(r'<input type="hidden" name="sort" value="-complainant"', html)
