"""Benchmark: the month's cost figures (issue 9 §4) over many complaints, on PostgreSQL or SQLite.

Generates ``--complaints`` complaints (numbers ``B00000001`` …) spread evenly over ``--months``
months, each with its ledger as kesu.fulfilment.ledger writes it: one ComplaintCost row (4 in 5
upheld, a loss, a repair budget, now and then returns and credit notes) and four CostShare rows (the
loss and the repair budget, each split 70/30 between a department and the customer). The rows are
written by the database itself (INSERT … SELECT over generate_series / a recursive CTE), so a
million takes minutes, not hours. Rerunnable: rows already there are kept, only the missing range
is added (a larger run extends a smaller one). Bounded: at most 2 000 000 complaints.

Then times ``cost_figures`` for one month in the middle, by class, product, customer and party,
for a director (no visibility condition) and for a department head (his department's complaints),
and checks that the total reconciles with a plain SUM over the month's ledger rows.

    .venv/bin/python bench/bench_costs.py --url postgres://postgres@127.0.0.1:5432/kesu_fulfil \
        --complaints 100000 [--months 24] [--repeat 20] [--write]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, setup_django, timings  # noqa: E402

MAX_COMPLAINTS = 2_000_000
FIRST_MONTH = date(2024, 1, 1)
CUSTOMERS = 500
PRODUCTS = 40


def _months_after(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def prepare_reference_rows() -> dict[str, object]:
    from common import make_company

    from kesu.complaints.models import Category, Severity
    from kesu.customers.models import Customer, Product
    from kesu.organization.models import Department
    from kesu.rulebook.services import apply_preset

    if not Category.objects.exists():
        apply_preset(name="furniture")
    clerk = make_company()
    Customer.objects.bulk_create(
        [Customer(code=f"BC{i:04d}", name=f"客户{i:04d}") for i in range(CUSTOMERS)], ignore_conflicts=True
    )
    Product.objects.bulk_create(
        [Product(model_code=f"BP{i:03d}", name=f"产品{i:03d}") for i in range(PRODUCTS)],
        ignore_conflicts=True,
    )
    return {
        "clerk": clerk.pk,
        "severity": Severity.objects.order_by("rank").first().pk,
        "categories": _ids(Category.objects.filter(is_active=True)),
        "customers": _ids(Customer.objects.filter(code__startswith="BC")),
        "products": _ids(Product.objects.filter(model_code__startswith="BP")),
        "departments": _ids(Department.objects.exclude(code="cs")),
    }


def _array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]"


def generate(n: int, months: int, ref: dict[str, object]) -> float:
    """Add the complaints B{start}..B{n} and their ledger rows; seconds taken."""
    from django.db import connection, transaction

    from kesu.complaints.models import Complaint

    have = Complaint.objects.filter(number__startswith="B").count()
    if have >= n:
        return 0.0
    start = time.perf_counter()
    first = FIRST_MONTH.isoformat()
    span_s = ((_months_after(FIRST_MONTH, months) - FIRST_MONTH).days * 86400) - 1
    pg = connection.vendor == "postgresql"
    if pg:
        series = f"SELECT g AS i FROM generate_series({have + 1}, {n}) AS g"
        received = f"(TIMESTAMP '{first} 00:00:00' AT TIME ZONE 'Asia/Shanghai') + make_interval(secs => (i - 1)::float8 * {span_s} / {n})"
        pick = "({arr})[1 + (i % {k})]"
        month = "date_trunc('month', c.received_at AT TIME ZONE 'Asia/Shanghai')::date"
        number = "'B' || lpad(i::text, 8, '0')"
        cast_money = "::numeric(14,2)"
    else:
        series = f"WITH RECURSIVE s(i) AS (SELECT {have + 1} UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s"
        received = f"strftime('%Y-%m-%d %H:%M:%f', datetime('{first}', '-8 hours', '+' || ((i - 1) * {span_s} / {n}) || ' seconds'))"
        pick = "json_extract('[{arr_json}]', '$[' || (i % {k}) || ']')"
        month = "date(c.received_at, '+8 hours', 'start of month')"
        number = "'B' || substr('00000000' || i, -8, 8)"
        cast_money = ""

    def choose(values: list[int]) -> str:
        if pg:
            return pick.format(arr=_array(values), k=len(values))
        return pick.format(arr_json=",".join(str(v) for v in values), k=len(values))

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO complaints_complaint (
                number, status, version, channel, received_at, registered_at, complainant_name,
                complainant_phone, complainant_address, product_model, batch_number, order_number,
                description, requested_remedy, resolution, reply, satisfaction, updated_at,
                registered_by_id, severity_id, category_id, customer_id, product_id, handling_department_id
            )
            SELECT {number}, 'closed', 1, 'phone', r, r, '客户', '', '', '', '', '', '沙发扶手开裂', '', '', '',
                   '', r, {ref["clerk"]}, {ref["severity"]}, {choose(ref["categories"])},
                   {choose(ref["customers"])}, {choose(ref["products"])}, {choose(ref["departments"])}
            FROM (SELECT i, {received} AS r FROM ({series}) AS s) AS t
            """
        )
        # the ledger: ComplaintCost (upheld 4 in 5) and 4 CostShare rows, 70 % department / 30 % customer
        base = """
            FROM complaints_complaint c
            LEFT JOIN fulfilment_complaintcost done ON done.complaint_id = c.id
            WHERE c.number >= 'B' AND c.number < 'C' AND done.id IS NULL
        """
        loss = f"((c.id * 37) % 500000) / 100.0{cast_money}"
        repair = f"((c.id * 91) % 200000) / 100.0{cast_money}"
        cursor.execute(
            f"""
            INSERT INTO fulfilment_costshare (complaint_id, month, category_id, product_id, customer_id, upheld,
                                              line, position, party, department_id, label, amount)
            SELECT c.id, {month}, c.category_id, c.product_id, c.customer_id, (c.id % 5) <> 0,
                   v.line, v.position, v.party,
                   CASE WHEN v.party = 'department' THEN c.handling_department_id END,
                   CASE WHEN v.party = 'department' THEN 'dept' ELSE '客户' END,
                   CASE WHEN v.line = 'loss_amount' THEN
                        CASE WHEN v.position = 1 THEN round({loss} * 70 / 100, 2) ELSE {loss} - round({loss} * 70 / 100, 2) END
                   ELSE CASE WHEN v.position = 1 THEN round({repair} * 70 / 100, 2) ELSE {repair} - round({repair} * 70 / 100, 2) END
                   END
            {base.replace("FROM complaints_complaint c", "FROM complaints_complaint c CROSS JOIN (SELECT 'loss_amount' AS line, 1 AS position, 'department' AS party UNION ALL SELECT 'loss_amount', 2, 'customer' UNION ALL SELECT 'repair_budget', 1, 'department' UNION ALL SELECT 'repair_budget', 2, 'customer') v")}
            """
        )
        cursor.execute(
            f"""
            INSERT INTO fulfilment_complaintcost (complaint_id, month, category_id, product_id, customer_id,
                upheld, loss_amount, decided_total, returns_amount, credit_amount, recovered_amount,
                open_shipments, open_claims, open_returns, notes_to_seal, notes_to_send, flagged_returns)
            SELECT c.id, {month}, c.category_id, c.product_id, c.customer_id, (c.id % 5) <> 0,
                   {loss}, {loss} + {repair},
                   CASE WHEN c.id % 7 = 0 THEN ((c.id % 1000) / 10.0) ELSE 0 END,
                   CASE WHEN c.id % 11 = 0 THEN ((c.id % 3000) / 10.0) ELSE 0 END,
                   0, 0, 0, 0, 0, 0, 0
            {base}
            """
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def reconcile(month: date) -> None:
    """The figures' totals against plain sums over the month's ledger rows."""
    from django.db.models import Sum

    from kesu.fulfilment.models import ComplaintCost, CostShare
    from kesu.fulfilment.selectors import cost_figures

    result = cost_figures(month=month, by="category")
    borne = CostShare.objects.filter(month=month).aggregate(s=Sum("amount"))["s"]
    costs = ComplaintCost.objects.filter(month=month).aggregate(
        loss=Sum("loss_amount"), decided=Sum("decided_total")
    )
    assert sum(result.total.borne.values()) == borne == costs["decided"], (result.total.borne, borne, costs)
    assert result.total.loss_amount == costs["loss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="KESU_DATABASE_URL of the database to fill and time")
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="append the result to bench/RESULTS-costs.md")
    args = parser.parse_args()
    if not 1 <= args.complaints <= MAX_COMPLAINTS:
        parser.error(f"--complaints must be 1..{MAX_COMPLAINTS}")
    setup_django(args.url, migrate=True)

    from django.db import connection

    from kesu.complaints.models import Complaint
    from kesu.complaints.selectors import complaints_visible_to
    from kesu.fulfilment.selectors import DIMENSIONS, cost_figures
    from kesu.organization.models import Department, Role, RoleAssignment, Staff

    ref = prepare_reference_rows()
    took = generate(args.complaints, args.months, ref)
    total = Complaint.objects.filter(number__startswith="B").count()
    month = _months_after(FIRST_MONTH, args.months // 2)
    reconcile(month)

    department = Department.objects.get(pk=ref["departments"][0])
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-head")
    head, _ = Staff.objects.get_or_create(
        user=user, defaults={"display_name": "部门经理", "department": department}
    )
    RoleAssignment.objects.get_or_create(staff=head, role=Role.DEPARTMENT_HEAD)
    scoped = complaints_visible_to(staff=head)

    results = {}
    for by in DIMENSIONS:
        results[f"director by {by}"] = timings(
            lambda by=by: cost_figures(month=month, by=by), repeat=args.repeat
        )
    results["department head by category"] = timings(
        lambda: cost_figures(month=month, by="category", complaints=scoped), repeat=args.repeat
    )
    result = {
        "part": "cost_figures",
        "database": connection.vendor,
        "complaints": total,
        "months": args.months,
        "month": f"{month:%Y-%m}",
        "generated_s": round(took, 1),
        "timings_ms": results,
    }
    emit(result)
    if args.write:
        lines = [
            f"\n## cost figures, {connection.vendor}, {total:,} complaints over {args.months} months (month {month:%Y-%m})\n",
            "| query | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|",
            *(f"| {k} | {v['p50_ms']} | {v['p95_ms']} | {v['max_ms']} |" for k, v in results.items()),
        ]
        with (Path(__file__).resolve().parent / "RESULTS-costs.md").open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
