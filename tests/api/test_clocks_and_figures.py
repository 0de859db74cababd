"""The API's view of time: clocks on a complaint, next due times and the due filter on the list,
and the figures endpoint. Every response is checked against the OpenAPI document (ApiClient).

Furniture preset: a product-quality complaint accepted Monday 2026-11-16 10:00 (Asia/Shanghai)
has a resolution clock due Wednesday 2026-11-18 17:30."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesu.complaints import services
from kesu.complaints.models import Status
from kesu.deadlines import clock_actions
from tests.conftest import advance, local

LIST = "/api/v1/complaints"
FIGURES = "/api/v1/figures"


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------------------------------------
# Clocks on one complaint


def test_detail_lists_the_clocks_with_remaining_time(org, accepted, client_for):
    api = client_for(org.production_handler)

    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        body = api.get(f"{LIST}/{accepted.number}").json()

    (clock,) = body["clocks"]
    assert clock["kind"] == "resolution"
    assert clock["state"] == "running" and clock["standing"] == "running"
    assert parse(clock["started_at"]) == local(2026, 11, 16, 10)
    assert clock["due_at"] == "2026-11-18T17:30:00+08:00"  # company time
    assert clock["due_error"] == ""
    assert (clock["paused"], clock["overdue"]) == (False, False)
    assert clock["remaining_seconds"] == int(32.5 * 3600)
    assert clock["extensions"] == []
    assert parse(body["next_due_at"]) == local(2026, 11, 18, 17, 30)


def test_an_overdue_clock(org, accepted, clerk_api):
    with time_machine.travel(local(2026, 11, 19, 10), tick=False):
        (clock,) = clerk_api.get(f"{LIST}/{accepted.number}").json()["clocks"]

    assert clock["overdue"] is True and clock["standing"] == "overdue"
    assert clock["remaining_seconds"] == -int(16.5 * 3600)


def test_a_paused_clock_has_no_remaining_seconds(org, accepted, clerk_api):
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        clock_actions.await_customer(complaint=accepted, by=org.production_handler, comment="等样品")
        body = clerk_api.get(f"{LIST}/{accepted.number}").json()

    (clock,) = body["clocks"]
    assert (clock["paused"], clock["standing"], clock["remaining_seconds"]) == (True, "paused", None)
    assert body["next_due_at"] is None  # nothing is running


def test_extensions_and_late_reason(org, accepted, clerk_api):
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        complaint = clock_actions.request_extension(
            complaint=accepted, by=org.production_handler, clock="resolution", extra_amount=1, reason="等配件"
        )
        complaint = clock_actions.reject_extension(complaint=complaint, by=org.director, comment="不批准")
    with time_machine.travel(local(2026, 11, 20, 9), tick=False):
        complaint = advance(complaint, org, Status.FOLLOWED_UP)
        services.close_complaint(complaint=complaint, by=org.clerk, late_reason="配件缺货")
        clocks = clerk_api.get(f"{LIST}/{accepted.number}").json()["clocks"]

    # the resolution clock, beside the follow-up visit counted from the delivery (seed 000 4.4 1)
    (clock,) = [c for c in clocks if c["kind"] == "resolution"]
    (extension,) = clock["extensions"]
    assert extension["state"] == "rejected" and extension["extra_amount"] == 1
    assert extension["unit"] == "working_days"
    assert extension["requested_by"]["username"] == "prodhandler"
    assert extension["decided_by"]["username"] == "director"
    assert clock["standing"] == "met_late" and clock["late_reason"] == "配件缺货"


def test_an_uncovered_year_is_an_error_on_the_clock_not_a_date(org, register, clerk_api):
    with time_machine.travel(local(2026, 12, 31, 10), tick=False):
        complaint = advance(register(received_at=local(2026, 12, 31, 9)), org, Status.ACCEPTED)
        (clock,) = clerk_api.get(f"{LIST}/{complaint.number}").json()["clocks"]

    assert clock["due_at"] is None and clock["remaining_seconds"] is None
    assert "2027" in clock["due_error"]
    assert clock["standing"] == "no_due_time"


def test_outsider_cannot_see_the_clocks(org, accepted, client_for):
    assert client_for(org.outsider).get(f"{LIST}/{accepted.number}").status_code == 404


def test_detail_queries_do_not_grow_with_extensions(org, accepted, clerk_api):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clerk_api.get(f"{LIST}/{accepted.number}").status_code == 200
        return len(captured)

    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        complaint = clock_actions.request_extension(
            complaint=accepted, by=org.production_handler, clock="resolution", extra_amount=1, reason="一"
        )
        complaint = clock_actions.reject_extension(complaint=complaint, by=org.director, comment="否")
        queries()  # the token's first use records last_used_at
        few = queries()
        for reason in ("二", "三"):
            complaint = clock_actions.request_extension(
                complaint=complaint,
                by=org.production_handler,
                clock="resolution",
                extra_amount=1,
                reason=reason,
            )
            complaint = clock_actions.approve_extension(complaint=complaint, by=org.director)

        assert queries() == few


# ---------------------------------------------------------------------------------------------
# The list: next due time and the due filter


@pytest.fixture
def three(org, register):
    """Accepted 11-10, 11-16 and 11-18 (due 11-12, 11-18, 11-20 at 17:30) and one without a clock."""
    made = []
    for day in (10, 16, 18):
        with time_machine.travel(local(2026, 11, day, 10), tick=False):
            made.append(advance(register(received_at=local(2026, 11, day, 9)), org, Status.ACCEPTED))
    with time_machine.travel(local(2026, 11, 18, 11), tick=False):
        made.append(register(received_at=local(2026, 11, 18, 10)))
    return made


def test_list_items_carry_their_next_due_time(org, three, clerk_api):
    with time_machine.travel(local(2026, 11, 18, 12), tick=False):
        items = {i["number"]: i for i in clerk_api.get(LIST).json()["items"]}

    assert parse(items[three[0].number]["next_due_at"]) == local(2026, 11, 12, 17, 30)
    assert parse(items[three[2].number]["next_due_at"]) == local(2026, 11, 20, 17, 30)
    assert items[three[3].number]["next_due_at"] is None


@pytest.mark.parametrize(("due", "expected"), [("overdue", [0]), ("today", [1])])
def test_list_filters_by_due(org, three, clerk_api, due, expected):
    with time_machine.travel(local(2026, 11, 18, 12), tick=False):
        body = clerk_api.get(LIST, {"due": due}).json()

    assert [i["number"] for i in body["items"]] == [three[i].number for i in expected]
    assert body["count"] == len(expected)


def test_due_today_ends_at_local_midnight(org, three, clerk_api):
    # at 18:00 on the 18th the clock due 17:30 is overdue; nothing else is due before midnight
    with time_machine.travel(local(2026, 11, 18, 18), tick=False):
        today = clerk_api.get(LIST, {"due": "today"}).json()
        overdue = clerk_api.get(LIST, {"due": "overdue"}).json()

    assert today["items"] == []
    assert {i["number"] for i in overdue["items"]} == {three[0].number, three[1].number}


def test_the_due_filter_respects_visibility(org, three, client_for):
    with time_machine.travel(local(2026, 11, 18, 12), tick=False):
        body = client_for(org.outsider).get(LIST, {"due": "overdue"}).json()

    assert body["items"] == []


def test_an_unknown_due_filter_is_422(org, clerk_api):
    response = clerk_api.get(LIST, {"due": "soon"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["due"]


def test_the_list_with_due_times_does_not_query_per_row(org, register, clerk_api):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clerk_api.get(LIST, {"due": "today"}).status_code == 200
        return len(captured)

    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        advance(register(), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 18, 9), tick=False):
        queries()  # the token's first use records last_used_at
        few = queries()
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        for _ in range(5):
            advance(register(), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 18, 9), tick=False):
        assert len(clerk_api.get(LIST, {"due": "today"}).json()["items"]) == 6
        assert queries() == few


# ---------------------------------------------------------------------------------------------
# Figures


def test_figures_by_month_over_the_default_period(org, november, client_for):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        body = client_for(org.director).get(FIGURES).json()

    assert (body["by"], body["since"], body["until"]) == ("month", "2026-06-01", "2026-11-20")
    # the furniture rule book sets no handling-time target (the 17 hours are telecom's)
    assert body["target_average_hours"] is None
    (row,) = body["rows"]
    assert row["key"] == "2026-11"
    # two resolution clocks (one late) and the two follow-up visits after delivery
    assert (row["clocks_due"], row["on_time"], row["late"], row["closed"]) == (4, 3, 1, 2)
    assert row["on_time_rate"] == 0.75
    assert row["replied"] == 2
    assert row["average_handling_hours"] == pytest.approx((25 + 168) / 2)
    assert row["above_target"] is False
    (late,) = body["late_cases"]
    assert (late["clock"], late["late_reason"]) == ("resolution", "配件缺货")
    assert late["met_at"] == "2026-11-16T09:00:00+08:00"


def test_figures_by_department_for_a_period(org, november, client_for):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        body = (
            client_for(org.gm)
            .get(FIGURES, {"by": "department", "since": "2026-11-03", "until": "2026-11-30"})
            .json()
        )

    (row,) = body["rows"]
    # both complaints' resolution clocks and follow-up visits came due from 11-03 on
    assert row["key"] == "生产部"
    assert (row["clocks_due"], row["on_time"], row["closed"]) == (4, 3, 2)


def test_figures_since_defaults_relative_to_until(org, clerk_api):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        body = clerk_api.get(FIGURES, {"until": "2026-03-15"}).json()

    assert (body["since"], body["until"]) == ("2025-10-01", "2026-03-15")


def test_figures_only_count_what_the_caller_may_see(org, november, client_for, register):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        outsider = client_for(org.outsider).get(FIGURES).json()
        quality = client_for(org.quality_head).get(FIGURES, {"by": "department"}).json()

    assert outsider["rows"] == []
    assert quality["rows"] == []  # the complaints went to production, not quality


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "colour"}, "by"),
        ({"since": "2026-02-30"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"since": "0001-01-01"}, "since"),
        ({"since": "2026-11-30", "until": "2026-11-01"}, "until"),
    ],
)
def test_bad_figures_parameters_are_422_naming_them(org, clerk_api, params, field):
    response = clerk_api.get(FIGURES, params)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_figures_need_a_token(org):
    from tests.api.conftest import ApiClient

    assert ApiClient(None).get(FIGURES).status_code == 401


def test_figures_wrong_method_is_405(org, clerk_api):
    assert clerk_api.post(FIGURES, {}).status_code == 405


def test_figures_use_a_fixed_number_of_queries(org, november, register, clerk_api):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clerk_api.get(FIGURES, {"by": "category"}).status_code == 200
        return len(captured)

    with time_machine.travel(local(2026, 11, 20), tick=False):
        queries()
        few = queries()
        for _ in range(3):
            advance(register(received_at=local(2026, 11, 20, 8)), org, Status.CLOSED)
        assert queries() == few


def test_default_period_is_six_calendar_months():
    from kesu.deadlines.figures import default_period

    assert default_period(date(2026, 11, 20)) == (date(2026, 6, 1), date(2026, 11, 20))
    assert default_period(date(2026, 3, 31)) == (date(2025, 10, 1), date(2026, 3, 31))
