"""Gateway rules without HTTP or a database: credentials, lockout, tokens, routing, settings."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from gateway.domain import credentials as cred
from gateway.domain.openapi import merge
from gateway.domain.routing import route
from gateway.domain.webhooks import EVENT_TYPES, event_type_catalogue
from gateway.settings import GatewaySettings
from iims_common.identity import Caller, Role
from iims_contracts import CertificateIssued, PilotEnrolled


def test_keys_passwords_and_lockout() -> None:
    new = cred.new_api_key()
    assert cred.parse_api_key(new.token) == (new.key_id, new.secret)
    assert cred.parse_api_key("iims_only") is None and cred.parse_api_key("x_a_b") is None
    assert cred.secret_matches(new.secret, cred.secret_hash(new.secret))
    assert not cred.secret_matches("other", cred.secret_hash(new.secret))
    stored = cred.hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert cred.password_matches(stored, "correct horse battery staple")
    assert not cred.password_matches(stored, "wrong") and not cred.password_matches("junk", "x")
    now = dt.datetime(2014, 11, 1, tzinfo=dt.UTC)
    failures, locked = 0, None
    for _ in range(4):
        failures, locked = cred.after_failed_login(failures, now, 5, 15)
    assert locked is None and failures == 4
    failures, locked = cred.after_failed_login(failures, now, 5, 15)
    assert locked == now + dt.timedelta(minutes=15) and cred.locked(locked, now)


def test_access_tokens() -> None:
    principal = cred.Principal(Caller("account:1", Role.province, province_code="320000"))
    now = dt.datetime.now(dt.UTC)
    token = cred.mint_access_token("s" * 40, principal, 60, now)
    back = cred.verify_access_token("s" * 40, token)
    assert back is not None and back.caller == principal.caller and not back.admin
    assert cred.verify_access_token("t" * 40, token) is None
    expired = cred.mint_access_token("s" * 40, principal, 60, now - dt.timedelta(hours=1))
    assert cred.verify_access_token("s" * 40, expired) is None


def test_routing() -> None:
    assert route("/api/v1/enterprises/x").service == "registry"  # type: ignore[union-attr]
    assert route("/api/v1/public/certificates/N").service == "audit"  # type: ignore[union-attr]
    assert route("/api/v1/public/qualifications/N").verification  # type: ignore[union-attr]
    assert route("/api/v1/nothing") is None and route("/other") is None


def test_placeholder_secrets_are_refused_outside_development() -> None:
    GatewaySettings(environment="development")  # the placeholders are fine on a laptop
    with pytest.raises(ValidationError, match="ADMIN_PASSWORD"):
        GatewaySettings(environment="test")
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        GatewaySettings(
            environment="test",
            admin_password="a-real-admin-password",  # type: ignore[arg-type]
        )


def test_programme_view_counts_lateness_on_the_day_asked() -> None:
    from gateway.domain.dashboard import programme_view

    d = dt.date
    tasks = [
        (d(2014, 5, 31), d(2014, 5, 20), False),  # done
        (d(2014, 5, 31), d(2014, 6, 3), False),  # done late
        (d(2014, 7, 31), None, False),  # overdue on 2014-08-01
        (d(2014, 12, 31), None, True),  # open, periodic
    ]
    meetings = [
        ("现场会（第一场）", "site_meeting", None, d(2014, 7, 1), "planned", 40, 0),
        ("部署会", "deployment", None, d(2014, 3, 24), "held", 60, 55),
    ]
    counters = {
        "task_reports.2014-06": 1.0,
        "task_reports.2014-07": 1.0,
        "task_reports_late.2014-07": 1.0,
        "funds.allocated_yuan": 300000.0,
        "funds.disbursed_yuan": 100000.0,
        "funds.allocations": 2.0,
    }
    view = programme_view(2014, tasks, meetings, counters, d(2014, 8, 1))
    assert view["tasks"] == {"total": 4, "done": 1, "done_late": 1, "overdue": 1, "open": 1}
    assert view["reporting"] == {"latest_period": "2014-07", "received": 1, "late": 1, "missing": 0}
    assert view["meetings"]["by_status"] == {"planned": 1, "held": 1}
    assert [m["title"] for m in view["meetings"]["next"]] == ["现场会（第一场）"]
    assert view["funds"] == {"allocated_yuan": 300000, "disbursed_yuan": 100000, "allocations": 2}
    later = programme_view(2015, tasks, [], {}, d(2015, 1, 1))
    assert later["tasks"]["overdue"] == 2


def _service_spec(op_id: str, schema_name: str, prop: str) -> dict[str, object]:
    return {
        "paths": {
            f"/api/v1/{prop}s": {
                "get": {
                    "operationId": op_id,
                    "tags": [f"{prop}s 中文"],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": f"#/components/schemas/{schema_name}"}
                                }
                            }
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                schema_name: {
                    "title": schema_name,
                    "type": "object",
                    "properties": {prop: {"type": "string"}},
                }
            }
        },
    }


def test_merge_keeps_names_titles_and_operation_ids_unique() -> None:
    gateway = {
        "openapi": "3.1.0",
        "info": {"title": "gw", "version": "1"},
        "paths": {"/healthz": {"get": {"operationId": "healthz", "responses": {}}}},
    }
    merged = merge(
        gateway,
        {
            "training": _service_spec("listThings", "QualificationOut", "person"),
            "audit": _service_spec("listThings", "QualificationOut", "auditor"),
        },
    )
    schemas = merged["components"]["schemas"]
    assert set(schemas) == {"QualificationOut", "AuditQualificationOut"}
    assert [s["title"] for s in schemas.values()] == list(schemas)  # title == unique name
    audit_op = merged["paths"]["/api/v1/auditors"]["get"]
    ref = audit_op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/AuditQualificationOut"
    ids = [merged["paths"][p]["get"]["operationId"] for p in merged["paths"]]
    assert ids == ["healthz", "listThings", "auditListThings"]
    assert "security" not in merged["paths"]["/healthz"]["get"]
    assert audit_op["security"] == [{"ApiKey": []}, {"Bearer": []}]
    assert audit_op["tags"] == ["auditors"]
    assert {t["name"]: t["x-displayName"] for t in merged["tags"]} == {
        "persons": "persons 中文",
        "auditors": "auditors 中文",
    }


def test_webhook_event_types_are_described_by_their_contracts() -> None:
    catalogue = event_type_catalogue()
    assert [e.code for e in catalogue] == list(EVENT_TYPES)
    by_code = {e.code: e for e in catalogue}
    pilot = by_code[PilotEnrolled.topic]
    assert pilot.label == PilotEnrolled.label
    assert pilot.cloudevents_type == PilotEnrolled.event_type()
    assert by_code[CertificateIssued.topic].label == CertificateIssued.label
    # one paragraph, on one line, and never empty
    assert all(e.description and "\n" not in e.description for e in catalogue)
    # Chinese by default (the contract's summary_zh), English on request (label_en and the
    # docstring's first paragraph)
    assert pilot.description == PilotEnrolled.summary_zh
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.description) for e in catalogue)
    english = {e.code: e for e in event_type_catalogue("en")}
    assert english[PilotEnrolled.topic].label == "Pilot enrolled"
    assert english[PilotEnrolled.topic].description == PilotEnrolled.summary_en()
    assert all(e.label.isascii() and e.description for e in english.values())


def test_the_first_route_takes_service_paths_only() -> None:
    """`ServiceRoute` (first in the app's routes) matches exactly the paths a service owns,
    for every method `forward` has (another method: PARTIAL, so 405 as before); the gateway's
    own paths — none of them a service collection — go on to their own routes."""
    from starlette.routing import Match

    from gateway.api.proxy import FORWARDED_METHODS, service_route
    from gateway.domain.routing import ROUTES

    first = service_route()

    def match(path: str, method: str = "GET") -> Match:
        scope = {"type": "http", "path": path, "method": method, "root_path": ""}
        return first.matches(scope)[0]

    for key in ROUTES:
        for method in FORWARDED_METHODS:
            assert match(f"/api/v1/{key}/abc", method) is Match.FULL, (key, method)
        assert match(f"/api/v1/{key}", "TRACE") is Match.PARTIAL
    for own in (
        "/api/v1/api-keys",
        "/api/v1/accounts",
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/labels",
        "/api/v1/dashboards/national",
        "/api/v1/public/figures",
        "/api/v1/webhooks",
        "/api/v1/enterprise-overviews/x",
        "/api/v1/nowhere",
        "/healthz",
        "/",
    ):
        assert match(own) is Match.NONE, own
