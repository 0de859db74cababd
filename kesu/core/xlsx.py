"""Excel workbooks (.xlsx, openpyxl) in write-only mode: typed, sized columns with a bold, frozen
header row in the user's language, shared by every app that exports (statistics, accountability).

Each row goes to a temporary file as it is written, so a large workbook takes bounded memory. A
text that starts like a formula (``=``) is written as text: exported data cannot run a formula
in the reader's Excel. Control characters Excel refuses are dropped. Aware times are written as
the company's wall-clock time (Excel has no time zones).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Control characters Excel refuses in a cell (openpyxl raises on them): dropped from text.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_FORMULA_START = ("=",)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
POINTS_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "0"


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]  # called when writing: the header in the active language
    width: float
    number_format: str | None = None


def clean_text(value: str) -> str:
    return _ILLEGAL.sub("", value)


def local(value: datetime | None) -> datetime | None:
    """An aware time as the company's wall-clock time (Excel has no time zones)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


class Sheet:
    """A write-only sheet with typed, sized columns and a bold, frozen header row."""

    def __init__(self, workbook: Workbook, title: str, columns: list[Column]) -> None:
        self.sheet: WriteOnlyWorksheet = workbook.create_sheet(title=title[:31])
        self.columns = columns
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = "A2"
        self.bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, value=str(column.header()))
            cell.font = self.bold
            header.append(cell)
        self.sheet.append(header)
        self.rows = 0

    def append(self, values: Iterable[Any], *, bold: bool = False) -> None:
        cells: list[Any] = []
        for value, column in zip(values, self.columns, strict=True):
            if isinstance(value, str):
                value = clean_text(value)
                if value.startswith(_FORMULA_START):  # text, never a formula
                    cell = WriteOnlyCell(self.sheet, value=value)
                    cell.data_type = "s"
                    if bold:
                        cell.font = self.bold
                    cells.append(cell)
                    continue
            elif isinstance(value, datetime):
                value = local(value)
            if (column.number_format and value is not None) or bold:
                cell = WriteOnlyCell(self.sheet, value=value)
                if column.number_format and value is not None:
                    cell.number_format = column.number_format
                if bold:
                    cell.font = self.bold
                cells.append(cell)
            else:
                cells.append(value)
        self.sheet.append(cells)
        self.rows += 1


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save(workbook: Workbook) -> IO[bytes]:
    """The workbook in a temporary file (deleted when closed), positioned at its start."""
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — returned open; the response closes it
    workbook.save(file)
    file.seek(0)
    return file
