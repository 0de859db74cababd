from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaperworkConfig(AppConfig):
    """The paper forms (纸质表单) as PDF: what the rule books print, sign and archive."""

    name = "kesu.paperwork"
    label = "paperwork"
    verbose_name = _("paper forms")

    def ready(self) -> None:
        from kesu.complaints import registry
        from kesu.complaints.registry import Panel
        from kesu.paperwork.selectors import forms_panel

        # Last on the page's main column: the forms to print, after the facts they print.
        registry.register_panel("complaint", Panel("paperwork/_forms.html", forms_panel, order=90))
