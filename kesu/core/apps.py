from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Cross-cutting pieces with no domain of their own: base templates, checks, CLI glue."""

    name = "kesu.core"
    label = "core"

    def ready(self) -> None:
        from kesu.core import checks  # noqa: F401  (registers the deploy checklist)

        post_migrate.connect(_analyze_after_migrate, sender=self)


def _analyze_after_migrate(using: str, **kwargs: object) -> None:
    """New tables and indexes get their SQLite statistics now, not at some later close."""
    from django.db import connections

    from kesu.core.sqlite import analyze

    analyze(connections[using])
