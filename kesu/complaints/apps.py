from django.apps import AppConfig
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext_lazy as _


def _accused_changed(sender, instance, **kwargs) -> None:
    """Someone added to or removed from a complaint's accused without an action (the admin, a
    test): the ids kept on that object are read again (workflow.accused_ids)."""
    from kesu.complaints.workflow import ACCUSED_MEMO

    instance.__dict__.pop(ACCUSED_MEMO, None)


class ComplaintsConfig(AppConfig):
    name = "kesu.complaints"
    label = "complaints"
    verbose_name = _("complaints")

    def ready(self) -> None:
        from kesu.complaints.models import Category, Complaint, Procedure, ProcedureStep, Severity
        from kesu.complaints.presets import load_classes
        from kesu.complaints.procedures import load_procedures
        from kesu.rulebook import cache, sections

        sections.register("classes", order=10, load=load_classes)
        cache.watch(Category, Severity, Procedure, ProcedureStep)
        sections.register("procedures", order=35, load=load_procedures)
        m2m_changed.connect(
            _accused_changed, sender=Complaint.accused_staff.through, dispatch_uid="kesu-accused-changed"
        )
