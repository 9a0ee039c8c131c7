"""Production refuses placeholder secrets; development runs with them."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from iims_common.settings import ServiceSettings, to_async_url

REAL_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()


def test_development_accepts_the_placeholders() -> None:
    assert ServiceSettings(environment="development").environment == "development"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "INTERNAL_TOKEN_SECRET"),
        ({"internal_token_secret": "x" * 40}, "PERSONAL_DATA_KEYS"),
        (
            {"internal_token_secret": "x" * 40, "personal_data_keys": REAL_KEY},
            "PERSONAL_DATA_HMAC_KEY",
        ),
    ],
)
def test_production_refuses_placeholders(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ServiceSettings(environment="production", **overrides)  # type: ignore[arg-type]


def test_production_with_real_secrets() -> None:
    s = ServiceSettings(
        environment="production",
        internal_token_secret="x" * 40,  # type: ignore[arg-type]
        personal_data_keys=REAL_KEY,  # type: ignore[arg-type]
        personal_data_hmac_key="h" * 40,  # type: ignore[arg-type]
    )
    assert s.environment == "production"


def test_database_urls_pick_async_drivers() -> None:
    assert to_async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert to_async_url("sqlite:///./var/x.db") == "sqlite+aiosqlite:///./var/x.db"
    assert to_async_url("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"
