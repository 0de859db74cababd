"""The import graph between Kesu's apps, held by a test (STYLE.md habits 1 and 17).

Every import of a Kesu module, also inside functions, is read from the source with ``ast``. An
arrow that is not listed in ``ALLOWED`` fails: a new dependency between apps is a decision made
here, in review, not by accident.

The graph is one-way: apps built on complaints (deadlines, notifications) import complaints and
contribute their actions, inputs, panels and timeline entries through kesu.complaints.registry,
which complaints reads without importing them (habit 17). Removing an arrow from the code without
removing it here fails too, so the list stays true.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

KESU = Path(__file__).resolve().parent.parent / "kesu"

# The composition layer (kesu/*.py: settings, URLs, the API, the CLI entry point) and the app
# kesu.operations (the commands, the demo company, the deploy checks) may import any app. core is
# the foundation (errors, limits, paging, admin base, middleware, SQLite connection) that every app
# uses, so it imports none of them.

ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "organization": {"core"},
    "customers": set(),
    "rulebook": {"core", "organization"},
    "complaints": {"core", "organization", "customers", "rulebook"},
    "workcalendar": {"core"},
    "deadlines": {"core", "organization", "rulebook", "complaints", "notifications", "workcalendar"},
    "notifications": {"core", "organization", "rulebook", "complaints"},
    # approvals and assignments tell notifications whom their entries put work on (handovers.py).
    "approvals": {"core", "organization", "rulebook", "complaints", "notifications"},
    "decisions": {"core", "organization", "rulebook", "complaints", "approvals"},
    # The quality complaint committee: its determination is a draft of the handling decision; a
    # meeting that votes (the law firm's partners' meeting) tells its members (notifications).
    "committees": {"core", "organization", "rulebook", "complaints", "decisions", "notifications"},
    # Department tasks (会办): built on complaints, counting in the working calendar.
    "assignments": {"core", "organization", "rulebook", "complaints", "workcalendar", "notifications"},
    # Statistics, charts, Excel and scheduled reports read every app's figures (issue 12).
    "statistics": {
        "core",
        "organization",
        "customers",
        "rulebook",
        "complaints",
        "deadlines",
        "decisions",
        "archive",  # the customer class (客户类别) is the customer archive's
    },
    # Carrying the decision out (shipments, repairs, returns, credit notes) and its costs: built on
    # the decision; a delivery drives the follow-up clock through deadlines' record_delivery.
    "fulfilment": {
        "core",
        "organization",
        "customers",
        "rulebook",
        "complaints",
        "deadlines",
        "approvals",
        "decisions",
    },
    # The paper forms (PDF): print what complaints and the clocks of deadlines hold.
    "paperwork": {"organization", "rulebook", "complaints", "deadlines", "decisions"},
    # The customer archive (客户档案): built on complaints (the card and the timeline read them),
    # numbering with the rule book, counting registration days in the working calendar; it tells
    # successors of a hand-over and the reviewers of a destruction list (notifications).
    # Overdue loans (借阅) remind their borrowers through notifications too.
    "archive": {
        "core",
        "organization",
        "customers",
        "rulebook",
        "complaints",
        "workcalendar",
        "notifications",
    },
    # Accountability (考核): at the top of the apps, reads decisions, late clocks, complaints.
    "accountability": {
        "core",
        "organization",
        "complaints",
        "deadlines",
        "decisions",
        "notifications",
        "rulebook",
    },
    "operations": {
        "core",
        "organization",
        "customers",
        "rulebook",
        "complaints",
        "deadlines",
        "notifications",
        "approvals",  # the demo approves decisions by amount where the rule book says so
        "decisions",
        "archive",  # the demo's customers get their archives
    },
}


def _app_of(path: Path) -> str:
    relative = path.relative_to(KESU).as_posix()
    if "/" not in relative:
        return "top"
    return relative.split("/", 1)[0]


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "kesu" and len(parts) > 1 and parts[1] in ALLOWED:
                apps.add(parts[1])
    return apps


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in KESU.rglob("*.py"):
        if "migrations" in path.parts:
            continue  # a migration imports what it migrates at that point in history
        app = _app_of(path)
        graph.setdefault(app, set()).update(_imported_apps(path) - {app})
    return graph


def test_every_app_is_listed():
    apps = {p.name for p in KESU.iterdir() if (p / "apps.py").exists()}
    assert apps == set(ALLOWED)


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_what_it_is_allowed_to(app):
    imported = _graph().get(app, set())
    assert imported <= ALLOWED[app], f"kesu.{app} newly imports {sorted(imported - ALLOWED[app])}"


def test_the_listed_arrows_exist():
    # A removed dependency is removed here too, so ALLOWED stays the true graph.
    graph = _graph()
    missing = {
        (app, dep) for app, deps in ALLOWED.items() for dep in deps if dep not in graph.get(app, set())
    }
    assert not missing, f"remove from ALLOWED: {sorted(missing)}"


def _layers() -> list[set[str]]:
    """The layers of the import-linter contract in pyproject.toml, top first, as app names."""
    config = tomllib.loads((KESU.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [
        {name.strip().split(".")[1] for name in layer.replace(":", "|").split("|")}
        for layer in contract["layers"]
    ]


def test_the_import_contracts_say_the_same():
    """One graph: every app is in a layer of the import contract (run by `make lint`), and every
    arrow allowed here points down those layers (or between apps one line allows together)."""
    layers = _layers()
    level = {app: i for i, layer in enumerate(layers) for app in layer}
    assert set(ALLOWED) <= set(level), f"not in a layer: {sorted(set(ALLOWED) - set(level))}"
    upward = {(app, dep) for app, deps in ALLOWED.items() for dep in deps if level[dep] < level[app]}
    assert not upward, f"allowed here, refused by the layers contract: {sorted(upward)}"
