"""One OpenAPI document for the whole platform: the gateway's own operations plus every
service's `/api/v1` operations, with the internal identity header replaced by the public
security schemes — the single spec a provincial IT department integrates against."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

GLOSSARY = """
两化融合管理体系 咨询与认定服务平台 — the one public API of the platform that runs MIIT's
programme of 两化融合管理体系 (the integration of informatization and industrialization
management system): pilots, self-assessment, training and certification.

Terms used in this API:

| term | meaning |
|---|---|
| 企业 enterprise | identified by 统一社会信用代码 (USCC, GB 32100-2015) |
| 贯标 | implementing the management-system standard in an enterprise |
| 试点批次 batch | a year's pilot batch with its quota (2014: 500; 502 enrolled) and certification target (200) |
| 推荐 recommendation | a recommending unit (地方工信主管部门, 中央企业集团, 行业协会, 部内司局) proposes an enterprise |
| 试点企业 pilot | an enterprise selected from the recommendations |
| 贯标服务机构 consultancy | helps enterprises implement the standard |
| 认定服务机构 certification body | audits enterprises; authorized by the 认定管理组织 (management organization) |
| 评估与诊断 assessment | GB/T 23020-2013 self-assessment: index, stage, maturity, diagnosis |
| 培训 / 资质 training / qualification | the training plan's programmes; consultant and auditor qualifications |
| 认定申请 application | an enterprise applies to a certification body |
| 文件审核 / 现场审核 | stage 1 (document review) / stage 2 (on-site audit) |
| 不符合项 finding | a nonconformity against clauses 4–8 of the standard |
| 公示 notice | the public notice period before the certification decision |
| 认定证书 certificate | issued by the certification decision; 3 years with yearly surveillance |

Authentication: machine clients send `X-API-Key`; the web frontend sends
`Authorization: Bearer <token>` from `POST /api/v1/auth/login`. Every object outside the
caller's scope answers 404. Errors are RFC 9457 `application/problem+json`; lists are
`{"items": [...], "next_cursor": ...}` with `limit` and `cursor`; creates accept
`Idempotency-Key`; updates use `ETag`/`If-Match`. Every call of every method that needs
credentials counts against its API key or account, and /public/ calls and sign-in against
the client address: over the limit, any of them answers 429 with `Retry-After` (seconds).
"""

SERVICE_TAGS = {
    "registry": "企业与试点 — enterprises, batches, recommendations, pilots, progress reports",
    "training": "贯标培训与资质 — programmes, sessions, enrollments, qualifications",
    "assessment": "评估与诊断 — frameworks, assessments, benchmarks",
    "audit": "认定审核 — applications, audits, findings, certificates",
}
SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "Bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
}
INTERNAL_HEADER = "x-iims-identity"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _rename_refs(spec: dict[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    if not renames:
        return spec
    text = json.dumps(spec, ensure_ascii=False)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    result: dict[str, Any] = json.loads(text)
    return result


def _public_operation(op: dict[str, Any], public: bool) -> dict[str, Any]:
    op = dict(op)
    op["parameters"] = [
        p for p in op.get("parameters", []) if p.get("name", "").lower() != INTERNAL_HEADER
    ]
    if not op["parameters"]:
        op.pop("parameters")
    if not public:
        op["security"] = [{"ApiKey": []}, {"Bearer": []}]
    return op


def _needs_credentials(path: str) -> bool:
    """Everything under /api/v1 but sign-in and the public verification paths; operations
    outside it (/healthz, /readyz) are for probes and need nothing."""
    return path.startswith("/api/v1/") and not path.startswith(("/api/v1/auth/", "/api/v1/public/"))


def _unique_titles(schemas: dict[str, Any]) -> None:
    """Each component's `title` is its (unique) name: generators name classes after the
    title, so two components titled alike (a renamed `AuditQualificationOut` still titled
    `QualificationOut`) would become one class and the other would be lost."""
    for name, schema in schemas.items():
        if isinstance(schema, dict):
            schema["title"] = name


def _unique_operation_ids(paths: dict[str, Any], owners: Mapping[str, str]) -> None:
    """operationIds stay as the services set them (readable, stable); should two services
    (or a service and the gateway) ever use one, the later is prefixed with its owner
    (`auditListQualifications`), so a generated client keeps both methods."""
    seen: set[str] = set()
    for path, item in paths.items():
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict) or "operationId" not in op:
                continue
            op_id = op["operationId"]
            if op_id in seen:
                owner = owners.get(path, "gateway")
                op_id = owner + op_id[:1].upper() + op_id[1:]
                n = 2
                while op_id in seen:
                    op_id = f"{owner}{op['operationId'][:1].upper()}{op['operationId'][1:]}{n}"
                    n += 1
                op["operationId"] = op_id
            seen.add(op_id)


def _ascii_tag(tag: str) -> str:
    """`"enterprises 企业"` → `"enterprises"`: generators turn tags into module names, which
    should be ASCII; the Chinese name stays as the tag's `x-displayName` and description."""
    ascii_words = []
    for word in tag.split():
        if not word.isascii():
            break
        ascii_words.append(word)
    return " ".join(ascii_words) or tag


def _ascii_tags(paths: Mapping[str, Any], tags: Mapping[str, dict[str, Any]]) -> list[Any]:
    """Operation tags reduced to their ASCII words; tags that reduce to one name (`public
    公开查询与公示`, `public 公开资料与名单`) become one group whose display name lists both."""
    every = dict(tags)
    for item in paths.values():
        for op in item.values():
            for name in op.get("tags", []) if isinstance(op, dict) else []:
                every.setdefault(name, {"name": name})
    merged: dict[str, dict[str, Any]] = {}
    for name, tag in every.items():
        short = _ascii_tag(name)
        entry = merged.setdefault(short, {"name": short, "x-displayName": name})
        if entry["x-displayName"] != name:
            entry["x-displayName"] += " / " + name.removeprefix(short).strip()
        entry["description"] = "; ".join(
            d for d in (entry.get("description"), name, tag.get("description")) if d
        )
    for item in paths.values():
        for op in item.values():
            if isinstance(op, dict) and "tags" in op:
                op["tags"] = list(dict.fromkeys(_ascii_tag(t) for t in op["tags"]))
    return list(merged.values())


def _binary_bodies(paths: Mapping[str, Any]) -> None:
    """Files (CSV, .xlsx, downloads) in and out are declared `string`/`binary`, so a
    generator gives them a file type instead of dropping the operation; JSON and HTML keep
    their schemas."""
    for item in paths.values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            bodies = [op.get("requestBody") or {}, *op.get("responses", {}).values()]
            for body in bodies:
                for media, content in (body.get("content") or {}).items():
                    if "json" in media or media.startswith("text/html"):
                        continue
                    content["schema"] = {"type": "string", "format": "binary"}


def merge(gateway: dict[str, Any], services: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The platform's one document: the gateway's own operations and every service's
    `/api/v1` operations; component names unique (a clash is renamed `<Service><Name>`),
    every title equal to its component name, operationIds unique, the internal identity
    header removed, the public security schemes on every operation that needs credentials."""
    merged = copy.deepcopy(gateway)
    merged["info"]["title"] = "IIMS platform API (两化融合管理体系 咨询与认定服务平台)"
    merged["info"]["description"] = GLOSSARY
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    merged["components"]["securitySchemes"] = SECURITY_SCHEMES
    paths: dict[str, Any] = {
        p: {
            m: _public_operation(op, not _needs_credentials(p)) if m in METHODS else op
            for m, op in item.items()
        }
        for p, item in merged.get("paths", {}).items()
    }
    tags = {t["name"]: t for t in merged.get("tags", [])}
    owners: dict[str, str] = {}
    for service, spec in services.items():
        renames: dict[str, str] = {}
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                renamed = f"{service.capitalize()}{name}"
                n = 2
                while renamed in schemas:
                    renamed, n = f"{service.capitalize()}{name}{n}", n + 1
                renames[name] = renamed
        spec = _rename_refs(spec, renames)
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        for path, item in spec.get("paths", {}).items():
            if not path.startswith("/api/v1/"):
                continue
            paths[path] = {
                m: _public_operation(op, not _needs_credentials(path)) if m in METHODS else op
                for m, op in item.items()
            }
            owners[path] = service
            for op in item.values():
                for tag in op.get("tags", []) if isinstance(op, dict) else []:
                    tags.setdefault(tag, {"name": tag, "description": SERVICE_TAGS[service]})
    _unique_titles(schemas)
    _unique_operation_ids(paths, owners)
    _binary_bodies(paths)
    merged["paths"] = paths
    merged["tags"] = _ascii_tags(paths, tags)
    return merged
