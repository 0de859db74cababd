"""The worker's notification tasks (huey, run by `kesu worker`).

``notifications.handover``: tell whoever a committed timeline entry put work on
(kesu.notifications.handover.deliver). Enqueued after commit by the action that wrote the entry;
idempotent by the dedup key, so a retry after a failure (or a task run twice) tells nobody twice.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from kesu.notifications.handover import deliver
from kesu.rulebook.cache import one_reading


@db_task(retries=3, retry_delay=10, name="notifications.handover")
def tell_next(event_id: int) -> None:
    """Returns nothing: huey keeps a task's non-None result in its store until someone reads it,
    and nobody reads these, so each hand-over would leave a row (and cost a write) forever."""
    with one_reading():  # the rule book's token once per task, as once per web request
        deliver(event_id=event_id)
