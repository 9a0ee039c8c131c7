"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    total = sum(_INDEX[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    c = 31 - total % 31
    return ALPHABET[0 if c == 31 else c]


def uscc_error(code: str) -> str | None:
    """None if valid, else a message a person can act on (names the expected character)."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({ch for ch in code if ch not in _INDEX})
    if bad:
        return (
            f"contains characters outside the GB 32100 alphabet: {''.join(bad)} "
            "(letters I, O, S, V, Z and lowercase are never used)"
        )
    if not code[2:8].isdigit():
        return "positions 3–8 must be the GB/T 2260 division code (6 digits)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def make_uscc(first17: str) -> str:
    return first17 + check_character(first17)
