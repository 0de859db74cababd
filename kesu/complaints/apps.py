from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kesu.complaints"
    label = "complaints"
    verbose_name = _("complaints")

    def ready(self) -> None:
        from kesu.complaints.presets import load_classes
        from kesu.complaints.procedures import load_procedures
        from kesu.rulebook import sections

        sections.register("classes", order=10, load=load_classes)
        sections.register("procedures", order=35, load=load_procedures)
