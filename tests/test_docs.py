"""The docs stay honest (as in datasette's tests/test_docs.py): every setting, API endpoint and
`kesu` command is documented in README.md, and every setting is in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kesu import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")


def _settings_read() -> list[str]:
    """Every KESU_* environment variable Kesu reads (settings.py and the `kesu` command)."""
    names: set[str] = set()
    for path in [ROOT / "kesu" / "settings.py", ROOT / "kesu" / "cli.py"]:
        names |= set(re.findall(r"""["'](KESU_[A-Z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    return sorted(names)


SETTINGS = _settings_read()


def test_settings_are_found():
    assert {"KESU_DATABASE_URL", "KESU_SECRET_KEY", "KESU_ALLOWED_HOSTS", "KESU_TIME_ZONE"} <= set(SETTINGS)


@pytest.mark.parametrize("name", SETTINGS)
def test_setting_is_documented_in_readme(name):
    assert f"`{name}`" in README, f"README.md does not document {name}"


@pytest.mark.parametrize("name", SETTINGS)
def test_setting_is_in_env_example(name):
    assert re.search(rf"^#?\s*{name}=", ENV_EXAMPLE, re.MULTILINE), f".env.example lacks {name}"


def _api_operations() -> set[str]:
    from kesu.api import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods}


def test_every_api_operation_is_documented(db):
    missing = sorted(op for op in _api_operations() if f"`{op}`" not in README)
    assert not missing, f"README.md does not document: {missing}"


def test_every_documented_api_operation_exists(db):
    documented = set(re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE) /api/v1/[^`\s]*)`", README))
    assert documented, "README.md documents no API operation"
    assert documented <= _api_operations(), f"not in the API: {sorted(documented - _api_operations())}"


def _usage_commands() -> list[str]:
    """The commands `kesu --help` lists: lines "  NAME [options]   description"."""
    return re.findall(r"^  ([a-z][a-z-]*)\b[^\n]*? {2,}\S", cli.USAGE, re.MULTILINE)


def test_every_kesu_command_in_the_usage_is_in_the_readme():
    commands = _usage_commands()
    assert {"serve", "demo", "migrate", "check", "token"} <= set(commands)
    missing = [c for c in commands if f"kesu {c}" not in README]
    assert not missing, f"README.md does not mention: {missing}"


def test_every_kesu_management_command_is_in_the_usage():
    ours = {p.stem for p in (ROOT / "kesu").glob("*/management/commands/*.py") if not p.stem.startswith("_")}
    assert ours, "no Kesu management commands found"
    assert ours <= set(_usage_commands()), (
        f"`kesu --help` does not list: {sorted(ours - set(_usage_commands()))}"
    )
