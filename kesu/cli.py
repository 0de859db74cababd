"""The `kesu` command. Kesu's own commands are Django management commands (so `kesu X` and
`django-admin X` are the same thing); anything else is passed through (`kesu createsuperuser`)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

USAGE = """usage: kesu COMMAND [options]

  serve [--host H] [--port P] [--workers N]   run the web app (gunicorn, 2 workers by default)
  demo [--no-serve] [--port P]                migrate, load the demo company, serve on 127.0.0.1:8000
  migrate                                     create/upgrade the database and load KESU_PRESET
  check                                       the deploy checklist; exits 1 on any warning
  token create USERNAME | list | revoke       API tokens (a new token is printed once)
  unlock USERNAME|ADDRESS                     lift a lock-out after failed sign-ins
  preset list | preset load NAME              rule book presets
  register --as USER --channel C ...          register a complaint, print its number (see --help)
  act NUMBER ACTION --as USER [--input k=v]   take an action on a complaint, print its status
  worker [--workers N] [--no-periodic]        the task queue consumer: deadline sweeps every minute, e-mail retries
  sweep [--dry-run]                           one deadline sweep now (reminders, escalations); print what was sent
  decision show NUMBER                        a complaint's handling decision: versions, shares, cost ledger
  assess draft|approve|publish|export MONTH  the monthly assessment (考核) of MONTH (YYYY-MM); --as USER, --output FILE
  rulepack [--list] NAME                      add a bundled assessment rule pack (cs_staff, realestate_sales)
  archive due|propose|pending|handover        archives due for destruction; a leaver's customers, handed over
  any other Django management command, e.g. `kesu createsuperuser`, `kesu shell`
"""


def _ensure_demo_secret() -> None:
    """A local demo needs a secret key but no configuration: make one and keep it in the data dir."""
    if os.environ.get("KESU_SECRET_KEY"):
        return
    data_dir = Path(os.environ.get("KESU_DATA_DIR") or Path(__file__).resolve().parent.parent / "var")
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    command = argv[0]
    if command == "demo":
        _ensure_demo_secret()
    if command == "check":
        # The deploy checklist with the database checks (rule book, deputies); a warning fails it,
        # so `kesu check && kesu serve` refuses to start a misconfigured production site.
        argv = ["check", "--deploy", "--database", "default", "--fail-level", "WARNING", *argv[1:]]
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["kesu", *argv])
    except ImproperlyConfigured as exc:  # a bad or missing KESU_* setting: say which, no traceback
        print(f"kesu: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
