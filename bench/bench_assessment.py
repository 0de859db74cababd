"""Benchmark: drafting one month's assessment (考核) for 500 staff on PostgreSQL (issue 10).

Bounded and reproducible: the data is generated with INSERT … SELECT generate_series into the
database given (default: this helper's own ``kesu_assess``, migrated here; its complaints,
clocks, decisions and assessment rows are replaced), with a fixed layout:

- 20 departments × 25 people = 500 staff, each with base points (1–5) and a monthly bonus;
- N complaints (``--complaints``, default 100 000; 1 000 000 works, ~10× the generation time)
  spread evenly over the 12 months before the drafted month and the month itself, each handled by
  a department and a person; 14 % name an accused person, 2 % are secondary complaints, 10 % have
  a late clock with its holder recorded, 50 % a final reply, 3 % an approved upheld decision with
  a loss on their department (split over its 25 people by base points);
- the PCB rule book plus one rule for each other fact kind (complaint against a person, complaint
  per department, late clock with "more than 5 loses the item", average handling, secondary).

Measured: ``draft_month`` for the last month (all facts gathered, every line and total written),
best and median of ``--repeat`` runs, and the number of lines. Target in the issue: ≤ 10 s at
1 000 000 complaints.

    .venv/bin/python bench/bench_assessment.py [--url postgres://…/kesu_assess] [--complaints N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-only-secret-key-not-for-production-0123456789"
MONTH = date(2026, 10, 1)  # the drafted month; complaints from 2025-10 to 2026-10
DEPARTMENTS, PER_DEPARTMENT = 20, 25


def setup(url: str) -> None:
    os.environ.update({"KESU_DATABASE_URL": url, "KESU_SECRET_KEY": SECRET, "KESU_PRESET": "pcb"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def generate(complaints: int) -> None:
    from django.db import connection, transaction

    from kesu.accountability.models import Rule, Scorecard, ScorecardSection
    from kesu.rulebook.services import apply_preset

    apply_preset(name="pcb")
    card, _ = Scorecard.objects.get_or_create(code="bench", defaults={"name": "bench", "max_points": 100})
    section, _ = ScorecardSection.objects.get_or_create(
        scorecard=card, code="all", defaults={"name": "all", "points": 100}
    )
    extra = [
        dict(
            code="b_against",
            name="被投诉",
            fact="complaint_against",
            cost="yuan",
            amount=10,
            target="accused",
        ),
        dict(
            code="b_received",
            name="每投诉",
            fact="complaint_received",
            cost="points",
            amount=1,
            target="department",
        ),
        dict(
            code="b_late",
            name="超时",
            fact="clock_missed",
            cost="points",
            amount=2,
            target="department",
            max_per_month=5,
            section=section,
        ),
        dict(
            code="b_average",
            name="平均时长",
            fact="average_handling",
            cost="points",
            amount=5,
            target="department",
            threshold_hours=17,
        ),
        dict(
            code="b_secondary",
            name="二次投诉",
            fact="secondary",
            cost="points",
            amount=5,
            target="department",
        ),
    ]
    for number, spec in enumerate(extra, start=100):
        Rule.objects.update_or_create(
            code=spec["code"], defaults={**spec, "order": number, "is_active": True}
        )

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            TRUNCATE accountability_sheetline, accountability_sheettotal, accountability_appeal,
              accountability_finding, accountability_assessmentmonth, accountability_clocklateness,
              accountability_staffterms, decisions_responsibilityshare, decisions_remedy,
              decisions_decisionversion, decisions_decision, deadlines_complaintclock,
              complaints_complaintevent, complaints_complaint_accused_staff, complaints_complaint CASCADE
            """,
            [],
        )
        cur.execute(
            "DELETE FROM organization_roleassignment WHERE staff_id IN "
            "(SELECT id FROM organization_staff WHERE display_name LIKE 'bench-%%')",
            [],
        )
        cur.execute("DELETE FROM organization_staff WHERE display_name LIKE 'bench-%%'", [])
        cur.execute("DELETE FROM auth_user WHERE username LIKE 'bench-%%'", [])
        cur.execute("DELETE FROM organization_department WHERE code LIKE 'bench-%%'", [])
        cur.execute(
            "INSERT INTO organization_department (name, code, parent_id, is_customer_service) "
            "SELECT 'bench-' || d, 'bench-' || d, NULL, d = 0 FROM generate_series(0, %s) d",
            [DEPARTMENTS - 1],
        )
        cur.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) SELECT '!', false, 'bench-' || s, '', '', '', false, true, now()"
            " FROM generate_series(0, %s) s",
            [DEPARTMENTS * PER_DEPARTMENT - 1],
        )
        cur.execute(
            "INSERT INTO organization_staff (display_name, phone, department_id, user_id)"
            " SELECT 'bench-' || s, '', (SELECT id FROM organization_department WHERE code = 'bench-' || (s %% %s)),"
            " (SELECT id FROM auth_user WHERE username = 'bench-' || s) FROM generate_series(0, %s) s",
            [DEPARTMENTS, DEPARTMENTS * PER_DEPARTMENT - 1],
        )
        cur.execute(
            "INSERT INTO accountability_staffterms (staff_id, effective_month, base_points, monthly_bonus)"
            " SELECT id, '2025-01-01', 1 + id %% 5, 800 + (id %% 7) * 100 FROM organization_staff"
            " WHERE display_name LIKE 'bench-%%'",
            [],
        )
        cur.execute("SELECT id FROM complaints_severity ORDER BY id LIMIT 1", [])
        severity = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM organization_staff WHERE display_name LIKE 'bench-%%'", [])
        staff0 = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM organization_department WHERE code LIKE 'bench-%%'", [])
        dept0 = cur.fetchone()[0]
        # 13 months up to the end of the drafted month, evenly; department = staff's department
        cur.execute(
            """
            INSERT INTO complaints_complaint (number, status, version, channel, received_at, registered_at,
              complainant_name, complainant_phone, complainant_address, product_model, batch_number,
              order_number, description, requested_remedy, resolution, reply, satisfaction, updated_at,
              registered_by_id, severity_id, handling_department_id, handler_id)
            SELECT 'B' || lpad(i::text, 8, '0'), 'closed', 1, 'phone', t, t, '客户', '', '', '', '', '',
              '扶手开裂', '', '', '', '', t, %(staff0)s, %(severity)s,
              %(dept0)s + (i %% %(per)s) %% %(departments)s, %(staff0)s + (i %% %(per)s)
            FROM generate_series(1, %(n)s) i,
              LATERAL (SELECT timestamptz '2025-10-01 00:00+08' + (i::float / %(n)s) *
                (timestamptz '2026-11-01 00:00+08' - timestamptz '2025-10-01 00:00+08') AS t) ts
            """,
            {
                "staff0": staff0,
                "severity": severity,
                "dept0": dept0,
                "n": complaints,
                "per": DEPARTMENTS * PER_DEPARTMENT,
                "departments": DEPARTMENTS,
            },
        )
        cur.execute("UPDATE complaints_complaint SET parent_id = id - 1 WHERE id %% 50 = 0", [])
        cur.execute(
            "INSERT INTO complaints_complaint_accused_staff (complaint_id, staff_id)"
            " SELECT id, handler_id FROM complaints_complaint WHERE id %% 7 = 3",
            [],
        )
        cur.execute(
            """
            INSERT INTO complaints_complaintevent (action, at, from_status, to_status, comment, data, complaint_id)
            SELECT 'reply_to_customer', received_at + (id %% 30) * interval '1 hour', 'investigating', 'replied',
              '', '{}', id FROM complaints_complaint WHERE id %% 2 = 0
            """,
            [],
        )
        cur.execute(
            """
            WITH clocks AS (
              INSERT INTO deadlines_complaintclock (kind, amount, unit, count_start_day, pausable,
                remind_before_hours, started_at, due_at, due_error, state, stopped_at, extended_by,
                escalation_level, late_reason, complaint_id, late_noted_at)
              SELECT 'acknowledge', 2, 'elapsed_hours', false, false, 0, received_at,
                received_at + interval '2 hours', '', 'met', received_at + interval '5 hours', 0, 0, '', id,
                received_at + interval '3 hours'
              FROM complaints_complaint WHERE id %% 10 = 7
              RETURNING id, complaint_id, due_at
            )
            INSERT INTO accountability_clocklateness (clock_id, complaint_id, kind, due_at, noted_at, staff_id,
              department_id, capacity, handling_department_id)
            SELECT clocks.id, c.id, 'acknowledge', clocks.due_at, clocks.due_at + interval '1 hour', NULL,
              c.handling_department_id, 'department', c.handling_department_id
            FROM clocks JOIN complaints_complaint c ON c.id = clocks.complaint_id
            """,
            [],
        )
        cur.execute("SELECT id FROM decisions_cause WHERE upheld ORDER BY id LIMIT 1", [])
        cause = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO decisions_decision (complaint_id, created_at) SELECT id, received_at"
            " FROM complaints_complaint WHERE id %% 33 = 5",
            [],
        )
        cur.execute(
            """
            WITH versions AS (
              INSERT INTO decisions_decisionversion (number, status, loss_amount, repair_budget, compensation,
                freight, note, proposed_at, decided_at, customer_answer, countersign_how, countersigned_by,
                refusal_reason, cause_id, decision_id, proposed_by_id)
              SELECT 1, 'approved', 1000 + (d.id %% 97) * 37.31, 0, 0, 0, '', c.received_at,
                c.received_at + interval '2 days', '', '', '', '', %(cause)s, d.id, %(staff0)s
              FROM decisions_decision d JOIN complaints_complaint c ON c.id = d.complaint_id
              RETURNING id, decision_id
            )
            INSERT INTO decisions_responsibilityshare (position, party, department_id, staff_id, name, share, version_id)
            SELECT 1, 'department', c.handling_department_id, NULL, '', 100, v.id
            FROM versions v JOIN decisions_decision d ON d.id = v.decision_id
              JOIN complaints_complaint c ON c.id = d.complaint_id
            """,
            {"cause": cause, "staff0": staff0},
        )
        cur.execute("ANALYZE", [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/kesu_assess")
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-generate", action="store_true", help="reuse the data already there")
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        parser.error("PostgreSQL only")
    setup(args.url)
    if not args.no_generate:
        started = time.perf_counter()
        generate(args.complaints)
        print(f"generated {args.complaints} complaints in {time.perf_counter() - started:.1f} s")

    from kesu.accountability import services
    from kesu.accountability.models import SheetLine, SheetTotal

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        services.draft_month(month=MONTH, by=None)
        times.append(time.perf_counter() - started)
    lines = SheetLine.objects.filter(month__month=MONTH).count()
    people = SheetTotal.objects.filter(month__month=MONTH).exclude(staff=None).count()
    print(
        f"draft {MONTH:%Y-%m}: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"over {args.repeat} runs; {lines} lines, {people} people"
    )


if __name__ == "__main__":
    main()
