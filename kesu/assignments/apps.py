from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    """Department tasks on a complaint (会办) and the distribution of its result.

    Built on complaints: it imports complaints, never the reverse. Its visibility rule
    (``selectors.complaints_visible_through_tasks``) and its guard (``selectors.tasks_pending``)
    are plain functions for the complaints registry to call; nothing is registered here yet."""

    name = "kesu.assignments"
    label = "assignments"
    verbose_name = _("department tasks")

    def ready(self) -> None:
        from kesu.assignments import handovers
        from kesu.notifications import handover

        # Who the app's timeline entries put work on (told by the worker, after commit).
        handover.register("tasks_opened", handovers.opened)
        handover.register("task_assigned", handovers.assigned)
        handover.register("task_done", handovers.done)
        handover.register("result_distributed", handovers.distributed)
