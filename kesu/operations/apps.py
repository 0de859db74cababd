from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The top layer: what runs Kesu as a whole rather than one domain — the `kesu` commands
    (demo, register, act, preset, serve, sweep, worker), the demo company and the deploy checks.
    It may import every app; no app imports it."""

    name = "kesu.operations"
    label = "operations"

    def ready(self) -> None:
        from kesu.operations import checks  # noqa: F401  (registers the deploy checklist)
