"""A readable HTML rendering of the AsyncAPI document, made on the server: no script, no
stylesheet or font from elsewhere (the page works offline and under a strict CSP)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

_STYLE = """
body{font:15px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2328}
header{background:#0b3d91;color:#fff;padding:1.2em 2em}header h1{margin:0;font-size:1.5em}
main{display:grid;grid-template-columns:18em 1fr;gap:2em;padding:1em 2em}
nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;font-size:.9em}
nav a{display:block;color:#0b3d91;text-decoration:none;padding:.1em 0}
section{border-top:1px solid #d0d7de;padding:.5em 0 1.5em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{font-family:ui-monospace,Consolas,monospace;font-size:.9em}
pre{background:#f6f8fa;padding:.8em;overflow:auto}.tag{display:inline-block;background:#eef;
border-radius:3px;padding:0 .4em;margin-right:.3em;font-size:.85em}.req{color:#b42318}
"""


def _type_of(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    kind = str(schema.get("type", "any"))
    extra = [schema[k] for k in ("format",) if k in schema]
    if "pattern" in schema:
        extra.append(f"/{schema['pattern']}/")
    for low, high, unit in (("minimum", "maximum", ""), ("minLength", "maxLength", " chars")):
        if low in schema or high in schema:
            extra.append(f"{schema.get(low, '')}–{schema.get(high, '')}{unit}")
    return kind + (f" ({', '.join(map(str, extra))})" if extra else "")


def _fields(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        mark = '<span class="req">*</span>' if name in required else ""
        rows.append(
            f"<tr><td><code>{escape(name)}</code>{mark}</td><td><code>"
            f"{escape(_type_of(prop))}</code></td><td>{escape(prop.get('description', ''))}</td></tr>"
        )
    return (
        "<table><tr><th>field (<span class='req'>*</span> required)</th><th>type</th>"
        "<th>meaning</th></tr>" + "".join(rows) + "</table>"
    )


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p).replace(chr(10), ' ')}</p>" for p in text.split("\n\n") if p)


def render(doc: dict[str, Any]) -> str:
    """The whole document as one HTML page: the envelope rules, then one section per topic
    with its messages (fields, key, example), producers and consumers, then the DLQs."""
    info = doc["info"]
    messages: dict[str, Any] = doc["components"]["messages"]
    schemas: dict[str, Any] = doc["components"]["schemas"]
    channels: dict[str, Any] = doc["channels"]
    topics = [name for name in channels if not name.endswith(".dlq")]
    nav = "".join(f'<a href="#{escape(t)}">{escape(channels[t]["title"])}</a>' for t in topics)
    sections = []
    for topic in topics:
        channel = channels[topic]
        parts = [f'<section id="{escape(topic)}"><h2><code>{escape(topic)}</code></h2>']
        for ref in channel["messages"].values():
            name = ref["$ref"].rsplit("/", 1)[1]
            m = messages[name]
            key = m["bindings"]["kafka"]["key"]
            consumers = "".join(
                f'<span class="tag">{escape(c)}</span>' for c in m["x-iims-consumers"]
            )
            webhook = " · provinces may subscribe by webhook" if m["x-iims-webhook"] else ""
            example = json.dumps(m["examples"][0]["payload"], ensure_ascii=False, indent=2)
            parts.append(
                f"<h3>{escape(m['title'])}</h3>{_paragraphs(m['description'])}"
                f"<p>producer <span class='tag'>{escape(m['x-iims-producer'])}</span> · "
                f"consumers {consumers or '—'}{escape(webhook)}</p>"
                f"<p>Kafka key: {escape(key['description'])} · <code>content-type: "
                f"{escape(m['contentType'])}</code></p>"
                f"<h4><code>data</code></h4>{_fields(schemas[name])}"
                f"<details><summary>example message value</summary><pre>{escape(example)}</pre>"
                "</details>"
            )
        parts.append(f"<p>Dead letters: <code>{escape(topic)}.dlq</code>.</p></section>")
        sections.append("".join(parts))
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(info['title'])}</title>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><header><h1>{escape(info['title'])}</h1>"
        f"<div>AsyncAPI {escape(doc['asyncapi'])} · version {escape(info['version'])} · "
        '<a style="color:#fff" href="/asyncapi.json">asyncapi.json</a></div></header>'
        f"<main><nav>{nav}</nav><div>{_paragraphs(info['description'])}"
        + "".join(sections)
        + "</div></main></body></html>"
    )
