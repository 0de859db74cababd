"""Excel workbooks (.xlsx, openpyxl): the complaint list and the statistics views.

Written in openpyxl's write-only mode: each row goes to a temporary file as it is written, so a
workbook of 100 000 complaints takes bounded memory (bench/export_memory.py measures it); the rows
come from the database in chunks (``iterator``). The file is then streamed to the browser. The
sheet machinery (typed columns, formula-safe text) is kesu.core.xlsx, shared with accountability.

Columns carry their type (numbers as numbers, times as Excel dates in the company time zone,
money with two decimals), a width, and a header in the user's language (Chinese by default). A
text that starts like a formula (``=``) is written as text: an exported complaint cannot run a
formula in the reader's Excel. An export of no rows is a sheet with its headers only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kesu.complaints.models import Channel, Complaint, Status
from kesu.core.xlsx import (  # noqa: F401 — XLSX, Column, … are this module's API too
    DATETIME_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    XLSX,
    Column,
    Sheet,
    new_workbook,
    save,
)
from kesu.statistics.selectors import Statistics

CHUNK = 2000


# ---------------------------------------------------------------------------------------------
# The complaint list


COMPLAINT_COLUMNS = [
    Column(lambda: _("Number"), 16),
    Column(lambda: _("status"), 14),
    Column(lambda: _("received at"), 17, DATETIME_FORMAT),
    Column(lambda: _("registered at"), 17, DATETIME_FORMAT),
    Column(lambda: _("channel"), 12),
    Column(lambda: _("complainant"), 14),
    Column(lambda: _("customer"), 24),
    Column(lambda: _("class"), 16),
    Column(lambda: _("severity"), 10),
    Column(lambda: _("responsible department"), 16),
    Column(lambda: _("handler"), 12),
    Column(lambda: _("product"), 18),
    Column(lambda: _("batch"), 14),
    Column(lambda: _("quantity"), 10, "0"),
    Column(lambda: _("defective quantity"), 10, "0"),
    Column(lambda: _("secondary complaint of"), 16),
    Column(lambda: _("closed at"), 17, DATETIME_FORMAT),
    Column(lambda: _("next due"), 17, DATETIME_FORMAT),
    Column(lambda: _("description"), 60),
]

_COMPLAINT_FIELDS = (
    "pk",
    "number",
    "status",
    "received_at",
    "registered_at",
    "channel",
    "complainant_name",
    "customer__name",
    "category__name",
    "category__name_en",
    "severity__name",
    "severity__name_en",
    "handling_department__name",
    "handler__display_name",
    "product__name",
    "batch_number",
    "quantity",
    "defective_quantity",
    "parent__number",
    "closed_at",
    "next_due_at",
    "description",
)


def _complaint_rows(complaints: QuerySet[Complaint], english: bool) -> Iterator[list[Any]]:
    statuses, channels = dict(Status.choices), dict(Channel.choices)
    if not complaints.ordered:  # the list's own order when it has one, else newest first
        complaints = complaints.order_by("-registered_at", "-id")
    rows = complaints.values_list(*_COMPLAINT_FIELDS).iterator(chunk_size=CHUNK)
    for row in rows:
        values = dict(zip(_COMPLAINT_FIELDS, row, strict=True))
        yield [
            values["number"],
            str(statuses.get(values["status"], values["status"])),
            values["received_at"],
            values["registered_at"],
            str(channels.get(values["channel"], values["channel"])),
            values["complainant_name"],
            values["customer__name"] or "",
            (english and values["category__name_en"]) or values["category__name"] or "",
            (english and values["severity__name_en"]) or values["severity__name"] or "",
            values["handling_department__name"] or "",
            values["handler__display_name"] or "",
            values["product__name"] or "",
            values["batch_number"],
            values["quantity"],
            values["defective_quantity"],
            values["parent__number"] or "",
            values["closed_at"],
            values["next_due_at"],
            values["description"],
        ]


def complaints_workbook(
    complaints: QuerySet[Complaint], *, title: str | None = None
) -> tuple[IO[bytes], int]:
    """The complaints as a one-sheet workbook (newest first) and the number of rows written."""
    from django.utils.translation import get_language

    workbook = new_workbook()
    sheet = Sheet(workbook, title or _("Complaints"), COMPLAINT_COLUMNS)
    for values in _complaint_rows(complaints, (get_language() or "").startswith("en")):
        sheet.append(values)
    return save(workbook), sheet.rows


def complaints_file(
    complaints: QuerySet[Complaint], path: Path, *, progress: Callable[[int], None] | None = None
) -> int:
    """The complaints as a one-sheet workbook written to ``path`` (the worker's large exports);
    ``progress`` is told the rows written after every chunk. Returns the number of rows."""
    from django.utils.translation import get_language

    workbook = new_workbook()
    sheet = Sheet(workbook, _("Complaints"), COMPLAINT_COLUMNS)
    for values in _complaint_rows(complaints, (get_language() or "").startswith("en")):
        sheet.append(values)
        if progress is not None and sheet.rows % CHUNK == 0:
            progress(sheet.rows)
    workbook.save(str(path))
    return sheet.rows


def add_complaints_sheet(workbook: Workbook, complaints: QuerySet[Complaint], title: str) -> int:
    from django.utils.translation import get_language

    sheet = Sheet(workbook, title, COMPLAINT_COLUMNS)
    for values in _complaint_rows(complaints, (get_language() or "").startswith("en")):
        sheet.append(values)
    return sheet.rows


# ---------------------------------------------------------------------------------------------
# Statistics


def _hours(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def add_statistics_sheets(workbook: Workbook, stats: Statistics, dimension_label: str) -> None:
    """The view's figures (one row per group and the totals), and who bears the losses."""
    columns = [
        Column(lambda: dimension_label, 20),
        Column(lambda: _("received"), 10, "0"),
        Column(lambda: _("previous"), 10, "0"),
        Column(lambda: _("change"), 10, PERCENT_FORMAT),
        Column(lambda: _("open"), 10, "0"),
        Column(lambda: _("overdue"), 10, "0"),
        Column(lambda: _("secondary"), 10, "0"),
        Column(lambda: _("closed"), 10, "0"),
        Column(lambda: _("satisfied"), 10, "0"),
        Column(lambda: _("neutral"), 10, "0"),
        Column(lambda: _("unsatisfied"), 10, "0"),
        Column(lambda: _("satisfaction rate"), 10, PERCENT_FORMAT),
        Column(lambda: _("upheld"), 10, "0"),
        Column(lambda: _("not upheld"), 10, "0"),
        Column(lambda: _("loss amount (CNY)"), 16, MONEY_FORMAT),
        Column(lambda: _("compensation (CNY)"), 16, MONEY_FORMAT),
        Column(lambda: _("replied"), 10, "0"),
        Column(lambda: _("average handling hours"), 14, "0.0"),
        Column(lambda: _("median handling hours"), 14, "0.0"),
        Column(lambda: _("90th percentile handling hours"), 14, "0.0"),
    ]
    for _kind, label in stats.kinds:
        columns.append(Column(lambda label=label: _("%s: due") % label, 12, "0"))
        columns.append(Column(lambda label=label: _("%s: on time") % label, 12, "0"))
        columns.append(Column(lambda label=label: _("%s: on-time rate") % label, 12, PERCENT_FORMAT))
    sheet = Sheet(workbook, _("Statistics"), columns)
    for row in [*stats.rows, stats.totals]:
        values: list[Any] = [
            row.label,
            row.received,
            row.previous_received,
            row.change,
            row.open,
            row.overdue,
            row.secondary,
            row.closed,
            row.satisfied,
            row.neutral,
            row.unsatisfied,
            row.satisfaction_rate,
            row.upheld,
            row.not_upheld,
            Decimal(row.loss_amount),
            Decimal(row.compensation),
            row.replied,
            _hours(row.average_hours),
            _hours(row.p50_hours),
            _hours(row.p90_hours),
        ]
        for kind, _label in stats.kinds:
            figure = row.clocks.get(kind)
            values += [figure.due, figure.on_time, figure.rate] if figure else [0, 0, None]
        sheet.append(values)
    bearers = Sheet(
        workbook,
        _("Who bears the losses"),
        [
            Column(lambda: _("responsible party"), 30),
            Column(lambda: _("loss amount borne (CNY)"), 18, MONEY_FORMAT),
            Column(lambda: _("complaints"), 10, "0"),
        ],
    )
    for bearer in stats.bearers:
        bearers.append([bearer.label, bearer.amount, bearer.complaints])
    spots = Sheet(
        workbook,
        _("Hot spots"),
        [
            Column(lambda: _("product or batch"), 30),
            Column(lambda: _("received"), 10, "0"),
            Column(lambda: _("earlier periods"), 24),
            Column(lambda: _("threshold"), 10, "0.0"),
        ],
    )
    for spot in stats.hot_spots:
        label = f"{_('batch')} {spot.label}" if spot.by == "batch" else spot.label
        spots.append([label, spot.count, " · ".join(str(n) for n in spot.history), spot.threshold])


def statistics_workbook(stats: Statistics, dimension_label: str) -> IO[bytes]:
    workbook = new_workbook()
    add_statistics_sheets(workbook, stats, dimension_label)
    return save(workbook)
