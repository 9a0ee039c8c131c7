"""Personal data at rest (身份证号, 手机号): encrypted, looked up by keyed hash, shown masked.

- `encrypt`/`decrypt`: Fernet (AES-128-CBC + HMAC-SHA256) with key rotation (MultiFernet).
- `blind_index`: HMAC-SHA256 of the normalized value, for uniqueness and lookup without
  decrypting (a plain hash of an 18-digit ID number could be brute-forced).
- `mask_*`: what responses and logs show.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet

from iims_common.settings import ServiceSettings


@dataclass(frozen=True)
class PersonalDataVault:
    fernet: MultiFernet
    hmac_key: bytes

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> PersonalDataVault:
        keys = settings.personal_data_keys.get_secret_value().split(",")
        return cls(
            MultiFernet([Fernet(k.strip().encode()) for k in keys if k.strip()]),
            settings.personal_data_hmac_key.get_secret_value().encode(),
        )

    def encrypt(self, value: str) -> str:
        return self.fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode()).decode()

    def blind_index(self, value: str) -> str:
        return hmac.new(self.hmac_key, value.upper().encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """110105********123X → keeps region (6) and last 4, like printed receipts do."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_name(value: str) -> str:
    """张三丰 → 张**; a public page shows the family name only."""
    return value[:1] + "*" * (len(value) - 1) if value else value
