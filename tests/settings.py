"""Settings for the test suite: Kesu's own, with a test-only key and fast password hashing."""

import os

os.environ.setdefault("KESU_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")

from kesu.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# SQLite: a file (not the in-memory default) so that threads in the concurrency tests share one
# database with real locking; one file per test process so parallel runs do not collide.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# Static files come from the finders in tests (no collectstatic run needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The task queue runs tasks inline, in memory (no worker, no huey.sqlite3).
HUEY = {**HUEY, "immediate": True}  # noqa: F405

# Hand-overs run as huey tasks inline (immediate mode) inside actions: huey's per-task INFO lines
# would go to a console handler bound to a stream an earlier test captured. Warnings still show.
_loggers = LOGGING["loggers"]  # noqa: F405
LOGGING = {**LOGGING, "loggers": {**_loggers, "huey": {**_loggers["huey"], "level": "WARNING"}}}  # noqa: F405
