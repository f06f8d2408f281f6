"""The back office's fixtures (signed-in clients, Maria Baca's account) for counter work."""

from tests.integration.backoffice.conftest import (  # noqa: F401
    client_as,
    fast_password_hashing,
    maria,
)
