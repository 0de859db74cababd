from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The bottom layer every app uses: errors, limits, paging, the admin base, middleware, the
    SQLite connection and its statistics. It imports no Kesu app (the commands, the demo company
    and the deploy checks live in the top layer, kesu.operations)."""

    name = "kesu.core"
    label = "core"

    def ready(self) -> None:
        post_migrate.connect(_analyze_after_migrate, sender=self)


def _analyze_after_migrate(using: str, **kwargs: object) -> None:
    """New tables and indexes get their SQLite statistics now, not at some later close."""
    from django.db import connections

    from kesu.core.sqlite import analyze

    analyze(connections[using])
