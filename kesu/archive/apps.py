from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    """The customer archive (客户档案, issue 11).

    Built on complaints: it imports complaints, never the reverse, and contributes through
    ``kesu.complaints.registry`` (``contributions.contribute``): the caller panel of the intake form
    (type-ahead, the customer's card, the possible-duplicate warning, a new customer), the reminder
    of unregistered new customers on the workbench, and the customer link on the complaint page.
    Its rule-book data (numbering, windows, profile fields, classes) is preset section ``archive``."""

    name = "kesu.archive"
    label = "archive"
    verbose_name = _("customer archive")

    def ready(self) -> None:
        from kesu.archive import contributions
        from kesu.archive.presets import load_access, load_archive
        from kesu.rulebook import sections

        sections.register("archive", order=60, load=load_archive)
        sections.register("archive_access", order=61, load=load_access)
        from kesu.archive.presets_ownership_retention import load_ownership, load_retention

        sections.register("archive_ownership", order=61, load=load_ownership)
        sections.register("archive_retention", order=62, load=load_retention)
        contributions.contribute()
