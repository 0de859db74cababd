"""The worker's archive task (huey, run by `kesu worker`): every morning the archives whose
retention period has run are proposed for destruction (kesu.archive.retention.propose) and the
reviewers told. Idempotent: an archive already on an open list is not proposed again, so a re-run
proposes nothing new; nothing is destroyed without the review and the general manager's approval.
The access and lending tasks (expiry, overdue loans) live in ``tasks_access`` and are imported here
so that huey finds them."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.archive import retention
from kesu.archive.tasks_access import expire_access, remind_overdue_loans  # noqa: F401 (access, lending)

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="20"), expires=3600, name="archive.retention")
def propose_due_archives() -> None:
    """Returns nothing: huey would keep a result in its result store, unread, every day."""
    destruction = retention.propose(by=None)
    if destruction is not None:
        log.info(
            "destruction list #%s proposed: %s archive(s) due", destruction.pk, destruction.items.count()
        )
