"""统一社会信用代码 (GB 32100-2015): the rule lives in `iims_common.identifiers` (one rule for
every service); these names are kept for the registry's callers."""

from __future__ import annotations

from iims_common.identifiers import (
    USCC_ALPHABET as ALPHABET,
)
from iims_common.identifiers import (
    USCC_DEPARTMENTS,
    make_uscc,
    uscc_error,
)
from iims_common.identifiers import (
    USCC_WEIGHTS as WEIGHTS,
)
from iims_common.identifiers import (
    uscc_check_character as check_character,
)

__all__ = ["ALPHABET", "USCC_DEPARTMENTS", "WEIGHTS", "check_character", "make_uscc", "uscc_error"]
