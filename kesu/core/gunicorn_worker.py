"""The gunicorn worker `kesu serve` runs: gunicorn's sync worker, except that the answers gunicorn
writes itself, before Django sees the request (an over-long request line or header: 400, too many
headers: 431, a crash outside Django: 500), are JSON ``{"detail": "…", "errors": {}}`` like every
other API answer instead of an HTML page.

gunicorn cannot tell an API request from a page there (the request line is what could not be
read), so these answers are JSON for every path; such requests come from programs, not from a
person following a link.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error`` with a JSON body instead of an HTML page."""
    body = json.dumps({"detail": f"{reason}: {mesg}" if mesg else reason, "errors": {}}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


@contextmanager
def _json_errors() -> Iterator[None]:
    original = util.write_error
    util.write_error = write_json_error
    try:
        yield
    finally:
        util.write_error = original


class JsonErrorWorker(SyncWorker):
    """A worker handles one request at a time, so swapping gunicorn's writer for the call is safe
    (gunicorn's ``handle_error`` calls ``util.write_error`` by attribute, at call time)."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        with _json_errors():
            super().handle_error(req, client, addr, exc)
