"""Statistics (issue 12 §1) at N complaints: p50/p95 of each statistics view, as the desk (who sees
every complaint) and as a department head (scoped), for one month and for a year by month.

The complaints and their resolution clocks are listing.py's (same seeded generator, five years from
2021); this script adds, for the complaints it has not seen yet, a final reply event for each closed
complaint (received → reply: a few hours to two weeks) and an approved handling decision with a
loss amount and two responsibility shares for one closed complaint in five. Bounded: each view is
timed ``--repeat`` times or for at most 60 s.

Usage: python bench/statistics_bench.py postgres://postgres@127.0.0.1:5432/kesu_stats --sizes 100000
    [--repeat 10] [--before-after-only]

Before/after (issue 12, final_reply_at): the year by month is timed with the handling figures as
computed before (the final reply searched among each complaint's reply events) and as now (the
complaint's final_reply_at), one after the other in the same run on the same data, whole view and
handling figures alone; the two must give the same figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, setup_django, timings  # noqa: E402

MONTH = (date(2025, 6, 1), date(2025, 6, 30))
YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def add_replies_and_decisions() -> dict:
    """Reply events and approved decisions for the closed complaints that have none yet (SQL)."""
    from django.db import connection

    from kesu.decisions.models import Cause

    started = time.perf_counter()
    cause, _ = Cause.objects.get_or_create(code="bench-defect", defaults={"name": "质量缺陷", "upheld": True})
    misuse, _ = Cause.objects.get_or_create(
        code="bench-misuse", defaults={"name": "使用不当", "upheld": False}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM organization_staff ORDER BY id LIMIT 1")
        (actor,) = cursor.fetchone()
        cursor.execute("SELECT id FROM organization_department WHERE code = 'production'")
        (production,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO complaints_complaintevent (complaint_id, action, at, actor_id, from_status, to_status,
                                                   comment, data)
            SELECT c.id, 'reply_to_customer',
                   LEAST(c.closed_at, c.received_at + (interval '1 hour') * (2 + (c.id * 37) %% 330)),
                   %s, 'resolution_approved', 'replied', '', '{}'
            FROM complaints_complaint c
            WHERE c.status = 'closed'
              AND NOT EXISTS (SELECT 1 FROM complaints_complaintevent e
                              WHERE e.complaint_id = c.id AND e.action = 'reply_to_customer')
            """,
            [actor],
        )
        replies = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO decisions_decision (complaint_id, created_at)
            SELECT c.id, c.closed_at FROM complaints_complaint c
            WHERE c.status = 'closed' AND c.id % 5 = 0  -- no parameters: a plain %
              AND NOT EXISTS (SELECT 1 FROM decisions_decision d WHERE d.complaint_id = c.id)
            """
        )
        decisions = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO decisions_decisionversion (decision_id, number, status, cause_id, loss_amount,
                repair_budget, compensation, freight, note, proposed_by_id, proposed_at, decided_at,
                customer_answer, countersign_how, countersigned_by, refusal_reason)
            SELECT d.id, 1, 'approved', CASE WHEN c.id %% 10 = 0 THEN %s ELSE %s END,
                   (c.id %% 5000) + 0.50, 0, (c.id %% 700), 0, '', %s, c.closed_at - interval '2 hours',
                   c.closed_at - interval '1 hour', '', '', '', ''
            FROM decisions_decision d JOIN complaints_complaint c ON c.id = d.complaint_id
            WHERE NOT EXISTS (SELECT 1 FROM decisions_decisionversion v WHERE v.decision_id = d.id)
            """,
            [misuse.pk, cause.pk, actor],
        )
        cursor.execute(
            """
            INSERT INTO decisions_responsibilityshare (version_id, position, party, department_id, name, share)
            SELECT v.id, 0, 'department', %s, '', 70 FROM decisions_decisionversion v
            WHERE NOT EXISTS (SELECT 1 FROM decisions_responsibilityshare s WHERE s.version_id = v.id)
            """,
            [production],
        )
        cursor.execute(
            """
            INSERT INTO decisions_responsibilityshare (version_id, position, party, name, share)
            SELECT v.id, 1, 'carrier', '顺丰物流', 30 FROM decisions_decisionversion v
            WHERE NOT EXISTS (SELECT 1 FROM decisions_responsibilityshare s WHERE s.version_id = v.id
                              AND s.position = 1)
            """
        )
        # final_reply_at: the last reply's time, as the reply action keeps it (complaints 0014)
        cursor.execute(
            """
            UPDATE complaints_complaint c SET final_reply_at = r.at
            FROM (SELECT complaint_id, MAX(at) AS at FROM complaints_complaintevent
                  WHERE action IN ('reply_to_customer', 'answer_on_spot') GROUP BY complaint_id) r
            WHERE r.complaint_id = c.id AND c.final_reply_at IS DISTINCT FROM r.at
            """
        )
        # next_due_at: the earliest due time of the running clocks, as kesu.deadlines keeps it
        cursor.execute(
            """
            UPDATE complaints_complaint c SET next_due_at = d.due
            FROM (SELECT complaint_id, MIN(due_at) AS due FROM deadlines_complaintclock
                  WHERE state = 'running' GROUP BY complaint_id) d
            WHERE d.complaint_id = c.id AND c.next_due_at IS DISTINCT FROM d.due
            """
        )
        cursor.execute("ANALYZE")
    return {"replies": replies, "decisions": decisions, "seconds": round(time.perf_counter() - started, 1)}


def department_head():
    from django.contrib.auth import get_user_model

    from kesu.organization.models import Department, Role, RoleAssignment, Staff

    head = Staff.objects.filter(user__username="bench-prodhead").first()
    if head is None:
        user = get_user_model().objects.create_user(username="bench-prodhead", password=None)
        head = Staff.objects.create(
            user=user, display_name="吴海波", department=Department.objects.get(code="production")
        )
        RoleAssignment.objects.create(staff=head, role=Role.DEPARTMENT_HEAD)
    return head


def legacy_handling_figures(view, complaints):
    """The handling figures as computed before ``final_reply_at`` (commit a672373): the reply
    events of the period that are their complaint's last reply (one lookup in the complaint's
    events each), grouped and ranked by window functions — for the before/after comparison."""
    from django.db.models import OuterRef, Subquery

    from kesu.complaints.models import ComplaintEvent
    from kesu.deadlines.figures import REPLY_ACTIONS, Seconds
    from kesu.statistics import selectors

    last = (
        ComplaintEvent.objects.filter(complaint_id=OuterRef("complaint_id"), action__in=REPLY_ACTIONS)
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    replies = ComplaintEvent.objects.filter(
        action__in=REPLY_ACTIONS, at__gte=view.start, at__lt=view.end
    ).filter(pk=Subquery(last))
    replies = selectors._in(replies, "complaint", complaints).order_by()
    replies = replies.annotate(
        k=selectors._key(view, "at", "complaint__"), seconds=Seconds("at", "complaint__received_at")
    )
    return selectors._handling(replies)


def _rounded(figures: dict) -> dict:
    return {
        key: (count, round(average, 6), {p: round(h, 6) for p, h in hours.items()})
        for key, (count, average, hours) in figures.items()
    }


def before_after(clerk, head, repeat: int) -> dict:
    """Year by month, before (the final reply searched among the events) and after (the complaint's
    final_reply_at), one after the other in the same run on the same data; the handling figures
    must be equal (to a microsecond of an hour: the averages may sum in another order)."""
    from kesu.complaints.selectors import complaints_visible_to
    from kesu.statistics import selectors
    from kesu.statistics.selectors import View, statistics

    current = selectors._handling_figures
    results = {}
    for who, staff in (("desk", clerk), ("department head", head)):
        view = View(by="month", since=YEAR[0], until=YEAR[1])
        complaints = complaints_visible_to(staff=staff)
        assert _rounded(legacy_handling_figures(view, complaints)) == _rounded(current(view, complaints))
        for label, handling in (("before", legacy_handling_figures), ("after", current)):
            key = f"{who} · year by month · handling figures alone · {label}"
            results[key] = timings(
                lambda handling=handling, view=view, complaints=complaints: handling(view, complaints),
                repeat=repeat,
                warmup=1,
            )
            print(key, results[key], file=sys.stderr, flush=True)
            selectors._handling_figures = handling
            try:
                key = f"{who} · year by month · {label}"
                results[key] = timings(
                    lambda view=view, complaints=complaints: statistics(view=view, complaints=complaints),
                    repeat=repeat,
                    warmup=1,
                )
                print(key, results[key], file=sys.stderr, flush=True)
            finally:
                selectors._handling_figures = current
    return results


def measure(clerk, head, repeat: int) -> dict:
    from django.urls import reverse

    from kesu.complaints.selectors import complaints_visible_to
    from kesu.statistics.charts import chart_data
    from kesu.statistics.selectors import DIMENSIONS, View, statistics

    results = {}
    for who, staff in (("desk", clerk), ("department head", head)):
        for period_name, (since, until) in (("month", MONTH), ("year", YEAR)):
            for by in DIMENSIONS:
                if period_name == "year" and by != "month":
                    continue
                view = View(by=by, since=since, until=until)

                def run(view=view, staff=staff):
                    stats = statistics(view=view, complaints=complaints_visible_to(staff=staff))
                    chart_data(stats, drill_url=reverse("statistics-drill"), query="")
                    return stats

                stats = run()
                key = f"{who} · {period_name} by {by}"
                results[key] = {
                    **timings(run, repeat=repeat, warmup=1),
                    "groups": len(stats.rows),
                    "received": stats.totals.received,
                }
                print(key, results[key], file=sys.stderr, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--before-after-only", action="store_true", help="only the year by month before/after final_reply_at"
    )
    args = parser.parse_args()
    setup_django(args.url, migrate=True)
    import listing
    from common import make_company

    clerk = make_company()
    head = department_head()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results = {}
    for size in sizes:
        load = listing.fill(size, total=max(sizes))
        extra = add_replies_and_decisions()
        results[str(size)] = {
            "load": load,
            "replies_and_decisions": extra,
            "year_by_month_before_after": before_after(clerk, head, args.repeat),
            "views": {} if args.before_after_only else measure(clerk, head, args.repeat),
        }
    emit({"statistics": results})


if __name__ == "__main__":
    main()
