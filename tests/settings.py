"""Settings for the test suite: Kesu's own, with a test-only key and fast password hashing."""

import os

os.environ.setdefault("KESU_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")

from kesu.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
