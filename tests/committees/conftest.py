from tests.api.conftest import client_for, token_for  # noqa: F401 (the API tests' fixtures)
