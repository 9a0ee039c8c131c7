"""A folded identifier keeps its pattern in the OpenAPI document (issue 13): the pattern must
come before the fold in `Annotated[...]`, or pydantic applies it outside the string schema
and generators and contract fuzzers take any string for valid."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import TypeAdapter

from iims_common.identifiers import ProvinceLevelCode

ROOT = Path(__file__).resolve().parents[3]
# `FOLD…, pattern(` inside one Annotated[...] (the order that loses the pattern).
LOST = re.compile(r"\bFOLD(?:_[A-Z]+)?\s*,\s*pattern\(")


def test_a_folded_code_states_its_pattern_and_still_folds() -> None:
    adapter = TypeAdapter(ProvinceLevelCode)
    assert adapter.json_schema() == {"type": "string", "pattern": "^[0-9]{2}0000$"}
    assert adapter.validate_python("３３００００") == "330000"  # full-width digits, folded


def test_no_pattern_is_written_after_a_fold() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for base in ("libs", "services")
        for path in (ROOT / base).rglob("*.py")
        if "/tests/" not in str(path)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LOST.search(line)
    ]
    assert not offenders, offenders
