"""`GET /api/v1/labels`: every enumeration of the public API labelled in Chinese and English,
composed by the gateway from the services' own labels (defined beside their enums)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from iims_common.i18n import ENGLISH

EN = {"Accept-Language": "en"}


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _enums(node: Any, path: str = "") -> Iterator[tuple[str, list[str]]]:
    """Every `enum` of the document: (where, its values)."""
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield path, [str(v) for v in node["enum"]]
        for key, value in node.items():
            yield from _enums(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _enums(value, f"{path}/{i}")


async def test_labels_in_the_callers_language(gw: httpx.AsyncClient, admin: dict[str, str]) -> None:
    assert (await gw.get("/api/v1/labels")).status_code == 401
    zh = await gw.get("/api/v1/labels", headers=admin)
    assert zh.status_code == 200, zh.text
    assert zh.headers["content-language"] == "zh-CN"
    labels = zh.json()
    # one catalogue from every service and the gateway's own enums
    assert labels["PilotStatus"]["basically_compliant"] == "基本达标"  # registry
    assert labels["EnrollmentStatus"]["waitlisted"] == "候补"  # training
    assert labels["Rating"]["partial"] == "部分符合"  # assessment
    assert labels["Severity"]["major"] == "严重不符合"  # audit
    assert labels["ObjectionStatus"]["upheld"] == "异议成立"
    assert labels["DeliveryStatus"]["failed"] == "推送失败"  # gateway
    assert labels["Role"]["management_org"] == "认定管理组织"
    assert labels["RequirementClause"]["8.3"] == "内部审核"
    en = await gw.get("/api/v1/labels", headers={**admin, **EN})
    assert en.status_code == 200 and en.headers["content-language"] == ENGLISH
    english = en.json()
    assert set(english) == set(labels)
    assert english["Severity"]["major"] == "Major nonconformity"
    assert english["SubscriptionStatus"]["disabled"] == "Disabled"
    for kind, codes in labels.items():
        assert set(english[kind]) == set(codes), kind
        for code, label in codes.items():
            assert _cjk(label), (kind, code, label)
            assert english[kind][code] and not _cjk(english[kind][code]), (kind, code)


async def test_every_enum_of_the_api_has_labels_in_both_languages(
    gw: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """Each `enum` of the merged OpenAPI document is labelled in Chinese and English: a named
    enum by the labels kind of its name, an inline one by a kind holding all its values. Two
    vocabularies have their own reference endpoint instead: province codes (`/provinces`,
    `/separately-planned-cities`: place names) and webhook event types
    (`/webhook-event-types`, in the caller's language)."""
    spec = (await gw.get("/openapi.json")).json()
    zh = (await gw.get("/api/v1/labels", headers=admin)).json()
    en = (await gw.get("/api/v1/labels", headers={**admin, **EN})).json()
    places = {
        p["code"]
        for url in ("/api/v1/provinces", "/api/v1/separately-planned-cities")
        for p in (await gw.get(url, headers=admin)).json()
    }
    events_zh = (await gw.get("/api/v1/webhook-event-types", headers=admin)).json()
    events_en = (await gw.get("/api/v1/webhook-event-types", headers={**admin, **EN})).json()
    events = {e["code"] for e in events_zh if _cjk(e["label"]) and _cjk(e["description"])}
    assert events == {e["code"] for e in events_en if not _cjk(e["label"])}

    unlabelled = []
    seen = 0
    for where, values in _enums(spec):
        seen += 1
        if set(values) <= places or set(values) <= events:
            continue
        name = where.removeprefix("/components/schemas/")
        if "/" not in name:
            kinds = [name] if name in zh else []
        else:
            kinds = [k for k in zh if set(values) <= set(zh[k])]
        if not any(all(zh[k].get(v) and en.get(k, {}).get(v) for v in values) for k in kinds):
            unlabelled.append((where, values))
    assert seen > 30
    assert not unlabelled, unlabelled
