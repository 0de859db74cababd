"""The fulfilment actions from the shell (`kesu act`): bad input is one message and exit status 1
(CommandError), nothing saved; good input prints the new version."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kesu.fulfilment.models import CarrierClaim, Shipment
from tests.fulfilment.conftest import investigated

pytestmark = pytest.mark.django_db


def kesu_act(number: str, action: str, **inputs: str) -> str:
    out = StringIO()
    args = [number, action, "--as", "prodhead"]
    for key, value in inputs.items():
        args += ["--input", f"{key}={value}"]
    call_command("act", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("amount", ["-1", "abc", "1.001", ""])
def test_a_bad_amount_is_exit_1_and_nothing_is_saved(furniture, amount):
    complaint = investigated(furniture)
    with pytest.raises(CommandError, match="amount"):
        kesu_act(complaint.number, "file_carrier_claim", carrier="logistics", amount=amount)
    assert not CarrierClaim.objects.exists()


def test_ship_and_deliver_from_the_shell_and_a_delivery_before_the_shipment_is_refused(furniture):
    complaint = investigated(furniture)
    shipped = timezone.localtime(timezone.now() - timedelta(minutes=30))
    printed = kesu_act(
        complaint.number,
        "record_shipment",
        carrier="logistics",
        waybill="YT-1",
        shipped_at=shipped.isoformat(),
    )
    assert complaint.number in printed
    shipment = Shipment.objects.get()
    with pytest.raises(CommandError, match="delivered_at"):
        kesu_act(
            complaint.number,
            "deliver_shipment",
            shipment=str(shipment.pk),
            delivered_at=(shipped - timedelta(minutes=5)).isoformat(),
        )
    shipment.refresh_from_db()
    assert shipment.delivered_at is None
