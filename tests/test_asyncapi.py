"""The AsyncAPI document: valid for the official parser (npm `@asyncapi/parser`, installed by
`make test` with `npm ci` in tools/asyncapi), and complete — every topic a service publishes
or consumes is a channel of it, with the producer and consumers the code really has."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from iims_common.events.consumer import EventConsumer
from iims_common.settings import ServiceSettings
from iims_common.testing import ROOT
from iims_contracts import CONTRACTS, EventContract, topics
from iims_contracts.asyncapi import document

TOOLS = ROOT / "tools" / "asyncapi"
SERVICES = ("registry", "training", "assessment", "audit", "gateway")


def validate(doc: dict[str, Any], tmp_path: Path) -> tuple[int, dict[str, Any]]:
    if not (TOOLS / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(
            "the AsyncAPI parser is not installed: `make test` runs npm ci in tools/asyncapi"
        )
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    proc = subprocess.run(
        ["node", "validate.mjs", str(path)], cwd=TOOLS, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_the_document_is_valid_asyncapi_3(tmp_path: Path) -> None:
    code, result = validate(document(), tmp_path)
    errors = [d for d in result["diagnostics"] if d["severity"] == 0]
    assert code == 0 and result["valid"], errors
    assert result["asyncapi"] == "3.0.0"
    assert set(result["channels"]) == {t for topic in topics() for t in (topic, f"{topic}.dlq")}
    assert sorted(result["messages"]) == sorted(f"{c.__name__}V{c.type_version}" for c in CONTRACTS)
    # Warnings are allowed only for the spec version (3.0 is what the issue asks for).
    warnings = {d["code"] for d in result["diagnostics"] if d["severity"] == 1}
    assert not warnings, warnings


def test_the_parser_refuses_a_broken_document(tmp_path: Path) -> None:
    """The check can fail: an operation on a channel that does not exist is an error."""
    doc = document()
    first = next(iter(doc["operations"].values()))
    first["channel"] = {"$ref": "#/channels/no-such-topic"}
    code, result = validate(doc, tmp_path)
    assert code == 1 and not result["valid"]


def consumed() -> dict[str, set[type[EventContract]]]:
    """What each service's consumers route (built as the services build them; not started)."""
    factories = {
        "registry": "registry.consumers:registry_consumers",
        "training": "training.consumers:training_consumers",
        "assessment": "assessment.consumers:assessment_consumers",
        "audit": "audit.consumers:audit_consumers",
        "gateway": "gateway.consumers:gateway_consumers",
    }
    import importlib

    settings = ServiceSettings()
    maker: async_sessionmaker[Any] = async_sessionmaker()
    found: dict[str, set[type[EventContract]]] = {}
    for service, target in factories.items():
        module, name = target.split(":")
        consumers: list[EventConsumer] = getattr(importlib.import_module(module), name)(
            settings, maker
        )
        found[service] = {r.contract for c in consumers for r in c.routes.values()}
        assert not any(c.handlers for c in consumers), f"{service} routes untyped handlers"
    return found


def published() -> dict[str, set[type[EventContract]]]:
    """The contracts each service constructs outside its consumers (an AST scan of calls to
    contract classes), i.e. what it publishes."""
    by_name = {c.__name__: c for c in CONTRACTS}
    found: dict[str, set[type[EventContract]]] = {s: set() for s in SERVICES}
    for service in SERVICES:
        package = ROOT / "services" / service / service
        for path in package.rglob("*.py"):
            if path.name == "consumers.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    contract = by_name.get(node.func.id)
                    if contract is not None:
                        found[service].add(contract)
    return found


def test_every_topic_published_or_consumed_is_in_the_document() -> None:
    doc = document()
    channels = set(doc["channels"])
    consumers = consumed()
    producers = published()
    for service, contracts in consumers.items():
        for c in contracts:
            assert c.topic in channels, (service, c.topic)
            assert service in c.consumers, f"{service} consumes {c.topic}: add it to consumers"
            assert f"{service}.receive.{c.topic}" in doc["operations"]
    for service, contracts in producers.items():
        for c in contracts:
            assert c.topic in channels, (service, c.topic)
            assert c.producer == service, f"{c.topic} is built by {service}, not {c.producer}"
            assert f"{service}.send.{c.topic}" in doc["operations"]
    # ... and the document claims nothing the code does not do.
    for c in CONTRACTS:
        assert c in producers[c.producer], f"nobody publishes {c.event_type()}"
        for service in c.consumers:
            assert c in consumers[service], f"{service} is said to consume {c.topic} but does not"
