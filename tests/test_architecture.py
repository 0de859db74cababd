"""The import graph between Kesu's apps, held by a test (STYLE.md habits 1 and 17).

Every import of a Kesu module, also inside functions, is read from the source with ``ast``. An
arrow that is not listed in ``ALLOWED`` fails: a new dependency between apps is a decision made
here, in review, not by accident.

Today's graph is not yet one-way: complaints imports deadlines (clock actions, clock views) and
notifications (the notification centre on the workbench), while both import complaints. Those two
arrows are listed in ``TO_REMOVE`` and go away when deadlines and notifications contribute their
actions, inputs, panels and timeline events through a registry that complaints reads (habit 17);
the test then holds the one-way graph. Removing an arrow from the code without removing it here
fails too, so the lists stay true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KESU = Path(__file__).resolve().parent.parent / "kesu"

# The composition layer ("top": kesu/*.py and these modules of core — checks, the demo company, the
# CLI commands) may import any app. The rest of core is the foundation (errors, limits, paging, admin
# base, middleware, SQLite connection) that every app uses, so it imports none of them.
CORE_TOP = ("kesu/core/checks.py", "kesu/core/demo.py", "kesu/core/management/")

ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "organization": {"core"},
    "customers": set(),
    "rulebook": {"core", "organization"},
    "complaints": {"core", "organization", "customers", "rulebook", "deadlines", "notifications"},
    "deadlines": {"core", "organization", "rulebook", "complaints", "notifications"},
    "notifications": {"core", "organization", "rulebook", "complaints"},
    "approvals": {"core", "organization", "rulebook", "complaints"},
    "decisions": {"core", "organization", "rulebook", "complaints", "approvals"},
    # Department tasks (会办): built on complaints; deadlines only for the working calendar.
    "assignments": {"core", "organization", "complaints", "deadlines"},
}
# Arrows against the direction "apps built on complaints depend on complaints, never the reverse".
TO_REMOVE = {("complaints", "deadlines"), ("complaints", "notifications")}


def _app_of(path: Path) -> str:
    relative = path.relative_to(KESU).as_posix()
    if relative.startswith(tuple(p.removeprefix("kesu/") for p in CORE_TOP)) or "/" not in relative:
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
    assert {(app, dep) for app, deps in ALLOWED.items() for dep in deps} >= TO_REMOVE
