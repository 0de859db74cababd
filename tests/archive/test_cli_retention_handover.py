"""`kesu archive …` and the worker's daily proposal (issue 11 §3, §5): every step and flag."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from kesu.archive import ownership
from kesu.archive.models_ownership import ArchiveOwnership
from kesu.archive.models_retention import DestructionList
from kesu.archive.tasks import propose_due_archives
from tests.conftest import local


def _run(*args: str) -> str:
    out = StringIO()
    call_command("archive", *args, stdout=out)
    return out.getvalue()


def test_due_and_propose_and_the_worker_proposes_once(org, old_customer):
    with time_machine.travel(local(2026, 1, 5), tick=False):
        assert old_customer.number in _run("due")
        assert "#" in _run("propose")
        _run("propose")  # nothing new
        propose_due_archives.call_local()  # nothing new: nothing proposed
    assert DestructionList.objects.count() == 1


def test_the_worker_proposes_the_due_archives(org, old_customer):
    with time_machine.travel(local(2026, 1, 5), tick=False):
        propose_due_archives.call_local()
    proposed = DestructionList.objects.get()
    assert proposed.proposed_by is None and [i.number for i in proposed.items.all()] == [old_customer.number]


def test_pending_and_handover(org, sales, dealer, buyer):
    for archive in (dealer, buyer):
        ownership.register(archive=archive, salesperson=sales.a, by=sales.a)
    listed = _run("pending", "sales_a")
    assert dealer.number in listed and buyer.number in listed
    out = _run(
        "handover", "sales_a", "--to", "sales_b", "--to", "sales_c", "--as", "salesmgr", "--reason", "离职"
    )
    assert dealer.number in out and buyer.number in out
    assert set(ArchiveOwnership.objects.values_list("owner", flat=True)) <= {sales.b.pk, sales.c.pk}


@pytest.mark.parametrize(
    "args",
    [
        ("pending",),
        ("pending", "ghost"),
        ("handover", "sales_a", "--to", "sales_b", "--reason", "x"),  # no --as
        ("handover", "sales_a", "--to", "sales_b", "--as", "sales_c", "--reason", "x"),  # no authority
        ("handover", "sales_a", "--as", "salesmgr", "--reason", "x"),  # nobody to draw from
        ("handover", "sales_a", "--to", "sales_b", "--as", "salesmgr"),  # no reason
    ],
)
def test_bad_input_exits_with_the_reason(org, sales, dealer, args):
    ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    with pytest.raises(CommandError):
        _run(*args)
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.a
