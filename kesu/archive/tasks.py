"""The archive's worker tasks (huey discovers this module): access expiry and overdue loans."""

from kesu.archive.tasks_access import expire_access, remind_overdue_loans  # noqa: F401
