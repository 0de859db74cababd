"""Settings refuse bad values loudly instead of starting half-configured."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = "import kesu.settings as s; print(s.TIME_ZONE, s.DATABASES['default']['ENGINE'])"


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "KESU_SECRET_KEY": "k" * 60}
    return subprocess.run(
        [sys.executable, "-c", PROBE], env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_defaults():
    result = settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Asia/Shanghai", "django.db.backends.sqlite3"]


def test_postgres_url():
    result = settings_with(KESU_DATABASE_URL="postgres://postgres@127.0.0.1:5432/kesu")
    assert result.stdout.split()[1] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"KESU_SECRET_KEY": ""}, "KESU_SECRET_KEY"),
        ({"KESU_TIME_ZONE": "Mars/Olympus"}, "KESU_TIME_ZONE"),
        ({"KESU_DEBUG": "maybe"}, "KESU_DEBUG"),
        ({"KESU_DATABASE_URL": "mysql://root@localhost/kesu"}, "KESU_DATABASE_URL"),
        ({"KESU_ATTACHMENT_MAX_BYTES": "ten"}, "KESU_ATTACHMENT_MAX_BYTES"),
        ({"KESU_LANGUAGE_CODE": "fr"}, "KESU_LANGUAGE_CODE"),
    ],
)
def test_bad_values_are_refused(env, message, tmp_path):
    result = settings_with(KESU_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
