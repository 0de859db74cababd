"""`kesu register` and `kesu act`: the same services as the web and the API, errors without tracebacks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kesu import cli
from kesu.complaints.models import Complaint, Status, TransferSlip
from kesu.customers.models import Customer
from tests.conftest import advance

pytestmark = pytest.mark.django_db


def register(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("register", *args, stdout=out)
    return out.getvalue().strip()


def act(number: str, action: str, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("act", number, action, *args, stdout=out)
    return out.getvalue().strip()


BASIC = ["--channel", "phone", "--complainant", "张三", "--description", "沙发扶手开裂，要求更换。"]


def test_register_prints_the_new_number_and_keeps_every_field(org):
    # given
    customer = Customer.objects.create(code="C0001", name="上海锦程家居有限公司")
    received = (timezone.now() - timedelta(days=2)).replace(microsecond=0)

    # when
    number = register(
        "--as", "clerk", *BASIC, "--phone", "13800001111", "--category", "product_quality",
        "--severity", "urgent", "--customer", "C0001", "--received-at", received.isoformat(),
    )  # fmt: skip

    # then
    complaint = Complaint.objects.get(number=number)
    assert complaint.status == Status.CLASSIFIED
    assert complaint.registered_by == org.clerk
    assert (complaint.complainant_name, complaint.complainant_phone) == ("张三", "13800001111")
    assert (complaint.category.code, complaint.severity.code) == ("product_quality", "urgent")
    assert complaint.customer == customer and complaint.received_at == received


def test_register_without_class_is_registered_and_received_now(org):
    number = register("--as", "director", *BASIC)
    complaint = Complaint.objects.get(number=number)
    assert complaint.status == Status.REGISTERED
    assert timezone.now() - complaint.received_at < timedelta(minutes=1)


def test_register_reports_every_bad_field(org):
    with pytest.raises(CommandError) as error:
        register(
            "--as", "clerk", *BASIC, "--category", "nope", "--customer", "X9", "--received-at", "yesterday"
        )
    message = str(error.value)
    assert "category" in message and "customer" in message and "received_at" in message
    assert not Complaint.objects.exists()


def test_register_refuses_a_future_received_at_with_the_field_named(org):
    future = (timezone.now() + timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="received_at"):
        register("--as", "clerk", *BASIC, "--received-at", future)
    assert not Complaint.objects.exists()


def test_only_the_desk_registers(org):
    with pytest.raises(CommandError) as error:
        register("--as", "outsider", *BASIC)
    assert "register" in str(error.value)
    with pytest.raises(CommandError, match="nobody"):
        register("--as", "nobody", *BASIC)
    assert not Complaint.objects.exists()


def test_act_walks_a_complaint_through_transfer_and_acceptance(org, register):
    # given
    complaint = register()

    # when
    proposed = act(
        complaint.number, "propose_transfer", "--as", "clerk",
        "--input", "to_department=production", "--input", f"to_position={org.production_manager.pk}",
        "--input", "reason=质量问题，转生产部",
    )  # fmt: skip
    approved = act(complaint.number, "approve_transfer", "--as", "gm", "--version", "2")
    accepted = act(complaint.number, "accept_transfer", "--as", "prodhead", "--input", "handler=prodhandler")

    # then
    assert proposed == f"{complaint.number} transfer_proposed v2"
    assert approved == f"{complaint.number} transfer_approved v3"
    assert accepted == f"{complaint.number} accepted v4"
    slip = TransferSlip.objects.get(complaint=complaint)
    assert (slip.proposed_by, slip.approved_by, slip.received_by) == (org.clerk, org.gm, org.production_head)
    complaint.refresh_from_db()
    assert complaint.handler == org.production_handler


def test_act_not_allowed_names_the_allowed_actions(org, register):
    # given
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)

    # when: the clerk tries to approve (only the GM may)
    with pytest.raises(CommandError) as error:
        act(complaint.number, "approve_transfer", "--as", "clerk")

    # then
    assert "approve_transfer" in str(error.value) and "withdraw" in str(error.value)
    complaint.refresh_from_db()
    assert complaint.status == Status.TRANSFER_PROPOSED


def test_act_unknown_action_names_the_allowed_ones(org, register):
    complaint = register()
    with pytest.raises(CommandError, match="propose_transfer"):
        act(complaint.number, "teleport", "--as", "clerk")


def test_act_with_a_stale_version_changes_nothing(org, register):
    complaint = register()
    with pytest.raises(CommandError) as error:
        act(complaint.number, "comment", "--as", "clerk", "--version", "7", "--input", "comment=催办")
    assert "7" in str(error.value)
    assert Complaint.objects.get(pk=complaint.pk).version == 1


def test_act_missing_input_names_the_field(org, register):
    complaint = register()
    with pytest.raises(CommandError, match="reason"):
        act(complaint.number, "propose_transfer", "--as", "clerk", "--input", "to_department=production")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.CLASSIFIED


def test_act_bad_input_syntax_and_unknown_complaint(org, register):
    complaint = register()
    with pytest.raises(CommandError, match="key=value"):
        act(complaint.number, "comment", "--as", "clerk", "--input", "just text")
    with pytest.raises(CommandError, match="999999"):
        act("999999", "comment", "--as", "clerk", "--input", "comment=x")


def test_act_correct_keeps_old_and_new_values(org, register):
    complaint = register(complainant_phone="13800000000")
    act(
        complaint.number, "correct", "--as", "clerk",
        "--input", "changes.complainant_phone=13912345678", "--input", "reason=客户更正电话",
    )  # fmt: skip
    event = complaint.events.get(action="correct")
    assert event.data["changes"]["complainant_phone"] == {"old": "13800000000", "new": "13912345678"}


def test_act_file_secondary_prints_the_new_complaint(org, register):
    first = advance(register(), org, Status.CLOSED)
    out = act(
        first.number, "file_secondary", "--as", "clerk", "--input", "description=维修后又坏了",
        "--input", f"received_at={timezone.now().isoformat()}", "--input", "channel=phone",
    )  # fmt: skip
    number, status, _version = out.split()
    secondary = Complaint.objects.get(number=number)
    assert secondary.parent == first and status == secondary.status


def test_a_department_cannot_act_on_what_it_cannot_see(org, register):
    complaint = register()
    with pytest.raises(CommandError, match=complaint.number):
        act(complaint.number, "start_investigation", "--as", "qualityhead")


@pytest.mark.django_db(transaction=True)
def test_the_kesu_command_exits_non_zero_with_a_message_not_a_traceback(org, register, capsys):
    # given
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)

    # when
    with pytest.raises(SystemExit) as exit_:
        cli.main(["act", complaint.number, "approve_transfer", "--as", "clerk"])

    # then
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "approve_transfer" in err and "withdraw" in err and "Traceback" not in err
