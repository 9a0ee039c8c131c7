"""The evolution rule, checkable: compare a contract's JSON Schema with the one published
before (the snapshot in `libs/contracts/published.json`) and list what would break a reader
or a writer of the published version.

Allowed within one version: new *optional* properties, and documentation (description,
examples, title). Anything else — a property removed, a property's schema changed, a
property newly required — is a new `.vN` contract on the same topic (DESIGN.md §1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iims_contracts.base import EventContract

PUBLISHED = Path(__file__).resolve().parent / "published.json"
_DOC_KEYS = frozenset({"description", "examples", "title"})


def _normalized(schema: Any) -> Any:
    """The schema without documentation keys (they may change freely)."""
    if isinstance(schema, dict):
        return {k: _normalized(v) for k, v in schema.items() if k not in _DOC_KEYS}
    if isinstance(schema, list):
        return [_normalized(v) for v in schema]
    return schema


def breaking_changes(published: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What makes `current` (a JSON Schema of a contract) incompatible with `published`; an
    empty list means a message valid under either parses under the other (new fields being
    optional and unknown fields ignored)."""
    problems: list[str] = []
    old_props: dict[str, Any] = published.get("properties", {})
    new_props: dict[str, Any] = current.get("properties", {})
    for name, old in old_props.items():
        if name not in new_props:
            problems.append(f"property {name!r} removed")
        elif _normalized(old) != _normalized(new_props[name]):
            problems.append(f"property {name!r} changed its schema")
    newly_required = set(current.get("required", ())) - set(published.get("required", ()))
    for name in sorted(newly_required):
        problems.append(f"property {name!r} is required now")
    if _normalized(published.get("$defs", {})) != _normalized(current.get("$defs", {})):
        problems.append("shared definitions ($defs) changed")
    return problems


def snapshot(contract: type[EventContract]) -> dict[str, Any]:
    """What is recorded when a contract version is published: its schema and its example
    (an "old message" every later revision of the version must still parse)."""
    return {"schema": contract.model_json_schema(), "example": contract.example}


def load_published(path: Path = PUBLISHED) -> dict[str, dict[str, Any]]:
    """The recorded snapshots, by CloudEvents type."""
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_published(contracts: tuple[type[EventContract], ...], path: Path = PUBLISHED) -> int:
    """Record the snapshot of every contract version not recorded yet (never overwrites a
    published one); returns how many were added. `python -m iims_contracts.compat`."""
    recorded = load_published(path) if path.exists() else {}
    added = 0
    for contract in contracts:
        if contract.event_type() not in recorded:
            recorded[contract.event_type()] = snapshot(contract)
            added += 1
    path.write_text(
        json.dumps(recorded, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return added


if __name__ == "__main__":
    from iims_contracts.catalogue import CONTRACTS

    print(f"recorded {write_published(CONTRACTS)} new contract versions in {PUBLISHED}")
