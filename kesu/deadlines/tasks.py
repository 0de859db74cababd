"""The worker's periodic tasks (huey, run by `kesu worker`): the deadline sweep every minute and
the retry of notification e-mails that could not be sent.

Both only call services and are idempotent, so a missed, repeated or concurrent run is harmless:
two workers sweeping at once send each reminder once (see ``kesu.deadlines.sweeps``). There is
deliberately no queue lock — a lock left by a killed worker would stop the sweeps — but a sweep
that has waited a minute in the queue expires, so slow sweeps cannot pile up behind each other.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.deadlines.sweeps import sweep
from kesu.notifications.services import send_unsent_emails

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"), expires=55, name="deadlines.sweep")
def sweep_deadlines() -> dict[str, int]:
    """Every minute: reminders (催办) and escalations (升级) that have become due."""
    result = sweep()
    if result.reminders or result.escalations:
        log.info(
            "deadline sweep: %s reminders, %s escalations, %s notifications",
            len(result.reminders),
            len(result.escalations),
            result.notifications,
        )
    return {
        "reminders": len(result.reminders),
        "escalations": len(result.escalations),
        "notifications": result.notifications,
    }


@db_periodic_task(crontab(minute="*/5"), expires=240, name="notifications.resend")
def resend_notification_emails() -> int:
    """Every five minutes: notification e-mails that failed (mail server down) are sent again."""
    return send_unsent_emails()
