"""Peak memory of an Excel export of N complaints (issue 12 §3): the complaint list's workbook,
written in openpyxl's write-only mode from a chunked query, as the export view writes it.

Measured in this process: the peak of Python allocations during the export (tracemalloc) and the
growth of the process's peak resident set (ru_maxrss) over what it was before the export, with the
time taken and the file's size. The complaints are listing.py's (loaded if fewer are there).

Usage: python bench/export_memory.py postgres://postgres@127.0.0.1:5432/kesu_stats --rows 100000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, make_company, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_django(args.url, migrate=True)
    import listing

    make_company()
    listing.fill(args.rows, total=args.rows)

    from kesu.complaints.models import Complaint
    from kesu.statistics.excel import complaints_workbook

    complaints = Complaint.objects.order_by("-registered_at", "-id")
    ids = list(complaints.values_list("pk", flat=True)[: args.rows])
    chosen = (
        Complaint.objects.filter(pk__in=ids)
        if len(ids) < Complaint.objects.count()
        else Complaint.objects.all()
    )
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    file, rows = complaints_workbook(chosen)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    file.seek(0, 2)
    size = file.tell()
    file.close()
    emit(
        {
            "export": {
                "rows": rows,
                "seconds": round(seconds, 1),
                "file_mib": round(size / 2**20, 1),
                "python_peak_mib": round(peak / 2**20, 1),
                "rss_growth_mib": round((after_rss - before_rss) / 1024, 1),
                "rss_peak_mib": round(after_rss / 1024, 1),
            }
        }
    )


if __name__ == "__main__":
    main()
