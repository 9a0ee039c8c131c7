"""The contracts: examples parse, garbage is refused, the catalogue is consistent, and the
evolution rule holds (every published version's old messages still parse; adding an optional
field passes the rule, anything else fails it)."""

from __future__ import annotations

import copy
import uuid
from typing import Any, ClassVar

import pytest
from pydantic import Field, ValidationError

from iims_contracts import CONTRACTS, EventContract, contract_for_type, topics
from iims_contracts.catalogue import webhook_event_types
from iims_contracts.compat import breaking_changes, load_published, snapshot
from iims_contracts.registry import EnterpriseRegistered, PilotEnrolled

IDS = [c.event_type() for c in CONTRACTS]


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_example_parses_and_names_its_key(contract: type[EventContract]) -> None:
    event = contract.parse(contract.example)
    assert event.kafka_key() == str(contract.example[contract.key_field])
    assert contract.event_type() == f"cn.iims.{contract.topic}.v{contract.type_version}"
    assert contract.ce_source() == f"/iims/{contract.producer}"
    # A round trip through JSON gives the same event.
    assert contract.parse(event.model_dump_json()) == event
    assert contract.parse(event.payload()) == event
    # Every field is documented (the AsyncAPI document shows these descriptions).
    schema = contract.model_json_schema()
    undocumented = [n for n, p in schema["properties"].items() if not p.get("description")]
    assert not undocumented, undocumented
    assert contract.__doc__ and contract.label


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_garbage_is_refused(contract: type[EventContract]) -> None:
    for garbage in ({}, [], None, "", b"{broken", "null", {"data": contract.example}):
        with pytest.raises(ValidationError):
            contract.parse(garbage)
    required = [n for n, f in contract.model_fields.items() if f.is_required()]
    assert required
    for name in required:
        missing = {k: v for k, v in contract.example.items() if k != name}
        with pytest.raises(ValidationError):
            contract.parse(missing)
    for name, field in contract.model_fields.items():
        if field.annotation in (uuid.UUID, uuid.UUID | None):
            bad = {**contract.example, name: "not-a-uuid"}
            with pytest.raises(ValidationError):
                contract.parse(bad)
    # Unknown fields (a newer producer) are ignored, not refused.
    newer = contract.parse({**contract.example, "added_in_a_later_revision": 1})
    assert newer == contract.parse(contract.example)


def test_codes_are_checked_with_ascii_classes() -> None:
    example = EnterpriseRegistered.example
    for field, value in (
        ("province_code", "３２００００"),  # full-width digits: `\d` would have taken them
        ("province_code", "32000"),
        ("industry_code", "Z9"),
        ("uscc", "91320102MA1XXXXXXI"),  # I is not in the USCC alphabet
        ("size", "huge"),
        ("name", ""),
    ):
        with pytest.raises(ValidationError):
            EnterpriseRegistered.parse({**example, field: value})
    with pytest.raises(ValidationError):
        PilotEnrolled.parse({**PilotEnrolled.example, "year": 1900})


def test_catalogue_is_consistent() -> None:
    types = [c.event_type() for c in CONTRACTS]
    assert len(types) == len(set(types))
    assert all(contract_for_type(t) is c for t, c in zip(types, CONTRACTS, strict=True))
    assert contract_for_type("cn.iims.nothing.v1") is None
    assert len(topics()) == len(set(topics()))
    assert set(webhook_event_types()) <= set(topics())
    for c in CONTRACTS:
        assert c.topic.islower() and " " not in c.topic and not c.topic.endswith(".dlq")


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_published_versions_still_hold(contract: type[EventContract]) -> None:
    """Each version's snapshot was recorded when it was published
    (`python -m iims_contracts.compat`); the contract may only have grown compatibly since,
    and the recorded example — an old message — still parses."""
    published = load_published()
    assert contract.event_type() in published, (
        f"{contract.event_type()} is not recorded: run `python -m iims_contracts.compat`"
    )
    recorded = published[contract.event_type()]
    assert breaking_changes(recorded["schema"], contract.model_json_schema()) == []
    contract.parse(recorded["example"])


class _EnterpriseRegisteredWithOptional(EnterpriseRegistered):
    """A later revision of v1 that adds an optional field (the allowed change)."""

    registered_capital: int | None = Field(default=None, description="注册资本 (yuan)")


class _EnterpriseRegisteredWithRequired(EnterpriseRegistered):
    """A revision that adds a required field (not allowed within a version)."""

    legal_person: str = Field(description="法定代表人")


def test_adding_an_optional_field_is_backwards_compatible() -> None:
    old_message = load_published()[EnterpriseRegistered.event_type()]["example"]
    old_schema = snapshot(EnterpriseRegistered)["schema"]
    new = _EnterpriseRegisteredWithOptional
    assert breaking_changes(old_schema, new.model_json_schema()) == []
    parsed = new.parse(old_message)  # an old message parses under the new revision
    assert parsed.registered_capital is None
    # ... and a new message parses under the old one (the new field is ignored).
    newer = {**old_message, "registered_capital": 5_000_000}
    assert EnterpriseRegistered.parse(newer) == EnterpriseRegistered.parse(old_message)


def test_the_rule_refuses_breaking_changes() -> None:
    old_schema = snapshot(EnterpriseRegistered)["schema"]
    required = _EnterpriseRegisteredWithRequired
    assert breaking_changes(old_schema, required.model_json_schema()) == [
        "property 'legal_person' is required now"
    ]
    with pytest.raises(ValidationError):
        required.parse(EnterpriseRegistered.example)
    removed = copy.deepcopy(old_schema)
    removed["properties"].pop("size")
    assert breaking_changes(old_schema, removed) == ["property 'size' removed"]
    retyped = copy.deepcopy(old_schema)
    retyped["properties"]["name"] = {"type": "integer", "description": "企业名称"}
    assert breaking_changes(old_schema, retyped) == ["property 'name' changed its schema"]
    documented = copy.deepcopy(old_schema)
    documented["properties"]["name"]["description"] = "企业名称（全称）"
    assert breaking_changes(old_schema, documented) == []


def test_a_contract_must_name_its_key() -> None:
    with pytest.raises(TypeError):

        class Broken(EventContract):  # the key is not a field
            topic: ClassVar[str] = "broken"
            key_field: ClassVar[str] = "nothing"
            producer: ClassVar[str] = "test"
            label: ClassVar[str] = "坏"
            example: ClassVar[dict[str, Any]] = {}

            thing_id: uuid.UUID = Field(description="id")
