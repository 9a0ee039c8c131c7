"""居民身份证号码 (GB 11643-1999) and phone numbers: the rules live in
`iims_common.identifiers` (one rule for every service); these names are kept for callers."""

from __future__ import annotations

from iims_common.identifiers import ID_CHECK as CHECK
from iims_common.identifiers import ID_WEIGHTS as WEIGHTS
from iims_common.identifiers import id_check_character as check_character
from iims_common.identifiers import id_number_error, phone_error

__all__ = ["CHECK", "WEIGHTS", "check_character", "id_number_error", "phone_error"]
