"""The worker's archive-access tasks (huey, run by `kesu worker`; imported by
``kesu.archive.tasks``): every hour approved accesses past their end are marked expired, and every
morning each overdue loan (借阅) reminds its borrower and the keepers. Both idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.archive import access

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="11"), expires=3600, name="archive.expire_access")
def expire_access() -> int:
    count = access.expire()
    if count:
        log.info("%d archive access(es) expired", count)
    return count


@db_periodic_task(crontab(hour="8", minute="20"), expires=3600, name="archive.remind_overdue_loans")
def remind_overdue_loans() -> int:
    count = access.remind_overdue()
    if count:
        log.info("%d overdue archive loan(s) reminded", count)
    return count
