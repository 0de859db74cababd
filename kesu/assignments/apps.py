from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    """Department tasks on a complaint (会办) and the distribution of its result.

    Built on complaints: it imports complaints, never the reverse, and contributes through
    ``kesu.complaints.registry`` (``contributions.contribute``): who sees a complaint through a
    task or a copy, the timeline's words for its entries, the complaint page's and the workbench's
    panels, and a guard per action for the steps the rule book makes wait for tasks (``TaskGate``,
    preset section ``task_gates``)."""

    name = "kesu.assignments"
    label = "assignments"
    verbose_name = _("department tasks")

    def ready(self) -> None:
        from kesu.assignments import contributions, handovers
        from kesu.assignments.gates import load_task_gates
        from kesu.assignments.models import TaskGate
        from kesu.notifications import handover
        from kesu.rulebook import cache, sections

        # After the classes (order 10): a gate names its class by code.
        sections.register("task_gates", order=55, load=load_task_gates)
        cache.watch(TaskGate)
        contributions.contribute()
        # Who the app's timeline entries put work on (told by the worker, after commit).
        handover.register("tasks_opened", handovers.opened)
        handover.register("task_assigned", handovers.assigned)
        handover.register("task_done", handovers.done)
        handover.register("result_distributed", handovers.distributed)
