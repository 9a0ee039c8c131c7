"""The printable report (评估报告): a radar chart of the dimensions against the industry
average, as self-contained SVG inside one HTML page (prints without network access)."""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape
from typing import Any

SIZE, CENTER, RADIUS = 360, 180, 130


def _point(i: int, n: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    r = RADIUS * max(0.0, min(100.0, value)) / 100
    return CENTER + r * math.cos(angle), CENTER + r * math.sin(angle)


def radar_svg(labels: list[str], series: list[tuple[str, list[float], str]]) -> str:
    n = len(labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" role="img">'
    ]
    for ring in (25, 50, 75, 100):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, n, ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#ccc"/>')
    for i, label in enumerate(labels):
        x, y = _point(i, n, 100)
        lx, ly = _point(i, n, 116)
        parts.append(f'<line x1="{CENTER}" y1="{CENTER}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" text-anchor="middle">{escape(label)}</text>'
        )
    for name, values, color in series:
        pts = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (_point(i, n, v) for i, v in enumerate(values))
        )
        parts.append(
            f'<polygon points="{pts}" fill="{color}" fill-opacity="0.25" stroke="{color}" stroke-width="2"><title>{escape(name)}</title></polygon>'
        )
    parts.append("</svg>")
    return "".join(parts)


def report_html(report: dict[str, Any]) -> str:
    dims = report["dimensions"]
    labels = [d["name"] for d in dims]
    series = [("本企业", [float(d["score"]) for d in dims], "#c0392b")]
    if all(d["industry_average"] is not None for d in dims):
        series.append(("行业平均", [float(d["industry_average"]) for d in dims], "#2471a3"))
    a = report["assessment"]
    rows = "".join(
        f"<tr><td>{escape(d['name'])}</td><td>{d['score']}</td><td>{d['industry_average'] if d['industry_average'] is not None else '—'}</td></tr>"
        for d in dims
    )
    advice = "".join(
        f"<li><b>{escape(k)}</b>：{escape(v)}</li>"
        for k, v in (a.get("diagnosis") or {}).get("recommendations", {}).items()
    )
    bench = report["benchmark"]
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>两化融合评估报告 {escape(str(a["period"]))}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:800px}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px 8px}}@media print{{body{{margin:0}}}}</style>
</head><body>
<h1>两化融合发展水平评估报告</h1>
<p>评估期：{escape(str(a["period"]))}　指标体系：{escape(report["framework_name"])}</p>
<p>总指数：<b>{a["total_score"]}</b>　发展阶段：<b>{escape(str(a["stage"]))}</b>　管理水平：<b>{escape(str(a["management_level"]))}</b></p>
<p>行业（{escape(bench["industry_section"])}门类）样本 {bench["count"]} 家：平均 {bench["average"] or "—"}，中位数 {bench["median"] or "—"}，标杆（前10%）{bench["top_decile"] or "—"}；本企业百分位 {bench["percentile"] or "—"}</p>
{radar_svg(labels, series)}
<table><tr><th>维度</th><th>本企业</th><th>行业平均</th></tr>{rows}</table>
<h2>诊断与建议（数据、技术、业务流程、组织结构）</h2><ul>{advice}</ul>
</body></html>"""


def dimension_average(totals: dict[str, str], code: str, count: int) -> Decimal | None:
    if not count or code not in totals:
        return None
    return (Decimal(totals[code]) / count).quantize(Decimal("0.01"))
