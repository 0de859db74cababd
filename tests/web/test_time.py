"""Visible time (时限) in the web UI: each clock on the complaint page, the workbench sorted by
urgency, the "due today / overdue" list filter, the figures page and the notification centre.

The furniture preset gives a product-quality complaint a resolution clock of 2 working days from
acceptance: accepted Monday 2026-11-16 10:00 (Asia/Shanghai) → due Wednesday 2026-11-18 17:30."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from kesu.complaints import services
from kesu.complaints.models import Status
from kesu.deadlines import clock_actions
from kesu.notifications.models import Notification
from kesu.notifications.services import notify
from tests.conftest import advance, local
from tests.web.conftest import action_buttons, opened_form


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.find("</section>", start)]


def _clock_row(html: str, kind: str) -> str:
    start = html.rindex("<tr", 0, html.index(f'data-clock="{kind}"'))
    return html[start : html.find("</tr>", start)]


# ---------------------------------------------------------------------------------------------
# The complaint page


def test_page_shows_the_clock_with_due_time_and_what_is_left(as_user, org, accepted):
    # when: Tuesday 09:00, 32.5 hours before it is due
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        response = as_user(org.production_handler).get(reverse("complaint-detail", args=[accepted.number]))

    # then
    assert response.status_code == 200
    section = _section(response.content.decode(), "time-limits")
    assert "时限" in section
    row = _clock_row(section, "resolution")
    assert "处理意见" in row  # the clock's kind
    assert "2026-11-16 10:00" in row  # counted from acceptance
    assert "2026-11-18 17:30" in row  # due, local time
    assert "剩余 1 天 8 小时" in row
    assert 'class="late"' not in row


def test_overdue_clock_says_by_how_much_in_red(as_user, org, accepted):
    with time_machine.travel(local(2026, 11, 19, 10), tick=False):
        html = as_user(org.clerk).get(reverse("complaint-detail", args=[accepted.number])).content.decode()

    row = _clock_row(html, "resolution")
    assert "standing-overdue" in row
    assert re.search(r'<span class="late">已超时 16 小时 30 分钟</span>', row)


def test_paused_clock_says_paused(as_user, org, accepted):
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        clock_actions.await_customer(complaint=accepted, by=org.production_handler, comment="等客户寄样品")
        html = as_user(org.clerk).get(reverse("complaint-detail", args=[accepted.number])).content.decode()

    row = _clock_row(html, "resolution")
    assert "已暂停" in row
    assert "自 2026-11-17 09:00 起暂停" in row
    assert "剩余" not in row


def test_met_late_clock_shows_the_late_reason(as_user, org, accepted):
    with time_machine.travel(local(2026, 11, 20, 9), tick=False):
        closed = advance(accepted, org, Status.FOLLOWED_UP)
        closed = services.close_complaint(complaint=closed, by=org.clerk, late_reason="配件缺货")
        html = as_user(org.clerk).get(reverse("complaint-detail", args=[closed.number])).content.decode()

    row = _clock_row(html, "resolution")
    assert "超时完成（2026-11-20 09:00）" in row
    assert "配件缺货" in row


def test_met_on_time_clock(as_user, org, accepted):
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        done = advance(accepted, org, Status.RESOLUTION_PROPOSED)
        html = as_user(org.clerk).get(reverse("complaint-detail", args=[done.number])).content.decode()

    assert "按时完成（2026-11-17 11:00）" in _clock_row(html, "resolution")


def test_a_year_the_calendar_does_not_cover_is_a_visible_error(as_user, org, register):
    # given: accepted on the last working day of 2026; its 2nd working day is in 2027, not entered yet
    with time_machine.travel(local(2026, 12, 31, 10), tick=False):
        complaint = advance(register(received_at=local(2026, 12, 31, 9)), org, Status.ACCEPTED)
        response = as_user(org.clerk).get(reverse("complaint-detail", args=[complaint.number]))

    html = response.content.decode()
    banner = html[html.index('class="errors due-error"') :]
    banner = banner[: banner.index("</div>")]
    assert 'role="alert"' in html
    assert "2027" in banner
    assert "请联系管理员录入该年度的法定节假日" in banner
    assert "无法计算" in _clock_row(html, "resolution")


def test_extension_requests_are_listed_with_their_state(as_user, org, accepted):
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        complaint = clock_actions.request_extension(
            complaint=accepted,
            by=org.production_handler,
            clock="resolution",
            extra_amount=3,
            reason="特殊情况",
        )
        pending = (
            as_user(org.clerk).get(reverse("complaint-detail", args=[complaint.number])).content.decode()
        )
        complaint = clock_actions.approve_extension(complaint=complaint, by=org.director)
        approved = (
            as_user(org.clerk).get(reverse("complaint-detail", args=[complaint.number])).content.decode()
        )

    assert "extension-pending" in pending and "特殊情况" in pending
    timeline = _section(pending, "timeline")
    assert "时限: 提出处理意见" in timeline and "working_days" not in timeline  # labelled, not codes
    assert "+3 工作日" in pending
    assert "extension-approved" in approved
    assert "李主任" in _section(approved, "time-limits")  # who decided
    assert "2026-11-23 17:30" in _clock_row(approved, "resolution")  # three more working days


def test_no_clock_yet(as_user, org, register):
    complaint = register()

    html = as_user(org.clerk).get(reverse("complaint-detail", args=[complaint.number])).content.decode()

    assert "此投诉没有时限" in _section(html, "time-limits")


def test_clock_action_forms_render_their_inputs(as_user, org, accepted):
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        complaint = advance(accepted, org, Status.INVESTIGATING)
        client = as_user(org.production_handler)
        html = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
        extension = opened_form(client, complaint.number, "request_extension")
        delivery = opened_form(client, complaint.number, "record_delivery")

    assert {"request_extension", "await_customer", "record_delivery"} <= set(action_buttons(html))
    # the clock to extend: only the clocks running on this complaint
    options = re.findall(r'<option value="([a-z_]+)"', extension)
    assert options == ["resolution"]
    assert re.search(r'<input type="number" name="request_extension-extra_amount"[^>]*step="0.01"', extension)
    assert 'type="datetime-local" name="record_delivery-delivered_at"' in delivery


def test_extension_with_a_non_positive_amount_is_a_field_error(as_user, org, accepted):
    client = as_user(org.production_handler)
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        response = client.post(
            reverse("complaint-action", args=[accepted.number, "request_extension"]),
            {
                "request_extension-version": accepted.version,
                "request_extension-clock": "resolution",
                "request_extension-extra_amount": "-1",
                "request_extension-reason": "再等等",
            },
        )

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Workbench: sorted by urgency


@pytest.fixture
def three(org, register):
    """Three quality complaints accepted on different days (due 11-12, 11-18 and 11-20 at 17:30),
    and one only registered (no running clock)."""
    made = []
    for day in (10, 16, 18):
        with time_machine.travel(local(2026, 11, day, 10), tick=False):
            made.append(advance(register(received_at=local(2026, 11, day, 9)), org, Status.ACCEPTED))
    with time_machine.travel(local(2026, 11, 18, 11), tick=False):
        made.append(register(received_at=local(2026, 11, 18, 10)))
    return made


def test_due_soon_lists_running_clocks_earliest_first_with_overdue_badges(as_user, org, three):
    overdue, later, latest, unclocked = three

    with time_machine.travel(local(2026, 11, 18, 12), tick=False):
        html = as_user(org.production_head).get(reverse("workbench")).content.decode()

    panel = _section(html, "due-soon")
    numbers = re.findall(r'class="number" href="/complaints/([^/]+)/"', panel)
    assert numbers == [overdue.number, later.number, latest.number]
    assert unclocked.number not in panel
    rows = panel.split("<tr>")
    overdue_row = next(r for r in rows if overdue.number in r)
    later_row = next(r for r in rows if later.number in r)
    assert "11-12 17:30" in overdue_row and "badge overdue" in overdue_row
    assert "11-18 17:30" in later_row and "badge overdue" not in later_row


def test_my_tasks_are_sorted_by_earliest_due(as_user, org, three):
    overdue, later, latest, _unclocked = three

    with time_machine.travel(local(2026, 11, 18, 12), tick=False):
        html = as_user(org.production_head).get(reverse("workbench")).content.decode()

    numbers = re.findall(r'class="number" href="/complaints/([^/]+)/"', _section(html, "my-tasks"))
    assert numbers == [overdue.number, later.number, latest.number]


def test_workbench_query_count_does_not_grow_with_complaints(
    as_user, org, register, django_assert_max_num_queries
):
    client = as_user(org.production_head)
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        advance(register(), org, Status.ACCEPTED)
        # 20 before the apps' panels; +2 "my department's tasks", +1 "awaiting my decision" and,
        # for someone who does not see every complaint, +1 in the scope (the pending approvals
        # whose approver he may be: kesu.approvals' register_visibility)
        with django_assert_max_num_queries(24) as few:
            client.get(reverse("workbench"))
        for _ in range(4):
            advance(register(), org, Status.ACCEPTED)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("workbench"))
    assert response.content.decode().count("badge overdue") == 0
    assert len(re.findall(r'class="number"', _section(response.content.decode(), "due-soon"))) == 5


# ---------------------------------------------------------------------------------------------
# List filter: due today / overdue


def test_list_filters_overdue_and_due_today(as_user, org, three):
    overdue, later, latest, unclocked = three
    client = as_user(org.clerk)

    with time_machine.travel(local(2026, 11, 18, 12), tick=False):
        overdue_page = client.get(reverse("complaint-list"), {"due": "overdue"})
        today_page = client.get(reverse("complaint-list"), {"due": "today"})
        everything = client.get(reverse("complaint-list"))

    assert [c.number for c in overdue_page.context["page"].rows] == [overdue.number]
    assert [c.number for c in today_page.context["page"].rows] == [later.number]
    assert len(everything.context["page"].rows) == 4
    # the list shows each row's next due time
    assert "11-20 17:30" in everything.content.decode()
    assert "今日到期" in everything.content.decode()  # the filter's choice


def test_list_refuses_an_unknown_due_filter(as_user, org):
    response = as_user(org.clerk).get(reverse("complaint-list"), {"due": "tomorrow"})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Figures


def test_figures_page_shows_rate_as_percent_and_highlights_slow_averages(as_user, org, november):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        response = as_user(org.director).get(reverse("figures"))

    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('id="figures"') :]
    row = next(r for r in table.split("<tr>") if "2026-11" in r)
    # two resolution clocks (one late) and two follow-up visits after delivery (seed 000 4.4 1)
    assert "75.0%" in row
    # the furniture rule book sets no target: a 96.5-hour average is shown, not marked
    assert re.search(r'class="num average"[^>]*>96\.5<', row)
    assert "above-target" not in html
    assert f'href="{reverse("figures")}"' in html  # the nav link


def test_figures_page_highlights_averages_above_the_rule_books_target(as_user, org, november):
    from kesu.deadlines.models import HandlingTimeTarget

    # a company that sets the telecom rule book's target (seed 000 第二篇 二 2: ≤ 17 hours)
    HandlingTimeTarget.objects.create(name="月平均处理时长", max_average_hours=17)
    with time_machine.travel(local(2026, 11, 20), tick=False):
        html = as_user(org.director).get(reverse("figures")).content.decode()
    row = next(r for r in html[html.index('id="figures"') :].split("<tr>") if "2026-11" in r)
    assert re.search(r'class="num average above-target"[^>]*>96\.5<', row)


def test_figures_with_only_a_start_date_group_by_month(as_user, org, november):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        response = as_user(org.director).get(reverse("figures"), {"since": "2026-11-01"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "2026-11" in html[html.index('id="figures"') :]
    assert re.search(r'<option value="month" selected>', html)


def test_figures_by_department_for_a_period(as_user, org, november):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        response = as_user(org.director).get(
            reverse("figures"), {"by": "department", "since": "2026-11-01", "until": "2026-11-30"}
        )

    table = response.content.decode()
    table = table[table.index('id="figures"') :]
    table = table[: table.index("</table>")]
    assert "生产部" in table and "2026-11" not in table


def test_figures_page_lists_the_late_cases_with_their_reasons(as_user, org, november):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        html = (
            as_user(org.director)
            .get(reverse("figures"), {"since": "2026-11-01", "until": "2026-11-30"})
            .content.decode()
        )
    late = html[html.index('id="late-cases"') :]
    assert "配件缺货" in late


def test_figures_page_for_an_outsider_is_empty(as_user, org, november):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        html = as_user(org.outsider).get(reverse("figures")).content.decode()

    assert "50.0%" not in html
    assert "此期间没有到期的时限" in html


@pytest.mark.parametrize(
    "params",
    [
        {"by": "colour"},
        {"since": "2026-13-01"},
        {"since": "2026-11-30", "until": "2026-11-01"},
        {"since": "0001-01-01"},
    ],
)
def test_figures_page_refuses_bad_input_with_field_errors(as_user, org, params):
    response = as_user(org.director).get(reverse("figures"), params)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_figures_page_needs_a_login(client):
    response = client.get(reverse("figures"))

    assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------------------------------------
# Notification centre (通知中心)


def test_workbench_lists_unread_notifications_and_marks_them_read(as_user, org, register):
    # given: a reminder for the production head, and one for someone else
    complaint = register()
    notify(
        recipients=[org.production_head],
        kind=Notification.Kind.REMINDER,
        title=f"催办：{complaint.number}",
        complaint=complaint,
        dedup_key="test-reminder",
    )
    notify(recipients=[org.clerk], kind=Notification.Kind.INFO, title="给王专员", dedup_key="other")
    client = as_user(org.production_head)

    # when
    html = client.get(reverse("workbench")).content.decode()

    # then: the panel lists it, linked to the complaint, and the top bar counts it
    panel = _section(html, "notifications")
    assert f"催办：{complaint.number}" in panel
    assert f'href="/complaints/{complaint.number}/"' in panel
    assert "给王专员" not in panel
    assert re.search(r'<span class="badge unread-count">1</span>', html)

    # when: mark all read
    response = client.post(reverse("notifications-read"))

    # then
    assert response.status_code == 302
    after = client.get(reverse("workbench")).content.decode()
    assert "没有未读通知" in _section(after, "notifications")
    assert "unread-count" not in after
    assert Notification.objects.get(recipient=org.clerk).read_at is None  # someone else's stays unread


def test_mark_read_refuses_get(as_user, org):
    assert as_user(org.clerk).get(reverse("notifications-read")).status_code == 405
