"""Peak memory of an Excel export of N complaints (issue 12 §3): the complaint list's workbook,
written in openpyxl's write-only mode from a chunked query, as the export view writes it.

Measured in this process: the growth of the process's peak resident set (ru_maxrss) over what it
was before the export, the time taken and the file's size; with ``--trace`` also the peak of Python
allocations during the export (tracemalloc, which slows the export several times). The complaints are listing.py's (loaded if fewer are there).

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
    parser.add_argument(
        "--trace",
        action="store_true",
        help="also trace Python allocations (tracemalloc; several times slower)",
    )
    args = parser.parse_args()
    setup_django(args.url, migrate=True)
    import listing

    make_company()
    listing.fill(args.rows, total=args.rows)

    from kesu.complaints.models import Complaint
    from kesu.statistics.excel import complaints_workbook

    # the newest N complaints by receipt (a range on the received_at index, not a list of ids)
    cutoff = Complaint.objects.order_by("-received_at").values_list("received_at", flat=True)[args.rows - 1]
    chosen = Complaint.objects.filter(received_at__gte=cutoff)
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    file, rows = complaints_workbook(chosen)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if args.trace else None
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
                "python_peak_mib": round(peak / 2**20, 1) if peak is not None else None,
                "rss_growth_mib": round((after_rss - before_rss) / 1024, 1),
                "rss_peak_mib": round(after_rss / 1024, 1),
            }
        }
    )


if __name__ == "__main__":
    main()
