from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces with no domain of their own: base templates, checks, CLI glue."""

    name = "kesu.core"
    label = "core"

    def ready(self) -> None:
        from kesu.core import checks  # noqa: F401  (registers the deploy checklist)
