"""The management-system standard the programme certifies against (from the seed).

《信息化和工业化融合管理体系 要求（试行）》, 工信部公告2014年第3号 (会议材料之六): its requirement
clauses 4–8 are what a self-assessment rates and what an audit finding cites.
"""

from __future__ import annotations

from iims_common.i18n import Message, _

STANDARD_TITLE = "信息化和工业化融合管理体系 要求"
STANDARD_EDITION = "试行 (工信部公告2014年第3号)"

_SECTIONS: dict[int, tuple[str, ...]] = {
    4: ("总要求", "文件要求"),
    # Worded as the seed words them (会议材料之七 四(一): "管理职责主要包括最高管理者、管理者代表、
    # 以获取与企业战略匹配的可持续竞争优势为关注焦点、两化融合的方针、两化融合的目标、两化融合
    # 管理体系策划、职责与协调沟通等7个方面的要求").
    5: (
        "最高管理者",
        "管理者代表",
        "以获取与企业战略匹配的可持续竞争优势为关注焦点",
        "两化融合的方针",
        "两化融合的目标",
        "两化融合管理体系策划",
        "职责与协调沟通",
    ),
    6: ("资金投入", "人才保障", "设备设施", "信息资源", "信息安全"),
    7: (
        "策划",
        "业务流程与组织结构优化",
        "技术实现",
        "匹配与规范",
        "运行维护",
        "数据开发利用",
        "动态调整",
    ),
    8: ("评估与诊断", "监视与测量", "内部审核", "考核", "管理评审", "改进"),
}
# The seed's table of contents (会议材料之六): "4 两化融合管理体系 5 管理职责 6 基础保障
# 7 实施过程 8 评测与改进".
SECTION_TITLES = {
    4: "两化融合管理体系",
    5: "管理职责",
    6: "基础保障",
    7: "实施过程",
    8: "评测与改进",
}

# "5.1" -> "最高管理者". The section numbers 4–8 and the topics (in the seed's order) are the
# seed's; the number after the dot is only the topic's position in the seed's list — the
# platform's key, NOT the standard's sub-clause number, which the seed does not give (it cites
# only 4.2.1 文件要求总则). CLAUSE_NUMBERING_BASIS says so to clients.
REQUIREMENT_CLAUSES: dict[str, str] = {
    f"{section}.{i}": title
    for section, titles in _SECTIONS.items()
    for i, title in enumerate(titles, start=1)
}
CLAUSE_NUMBERING_BASIS = "platform"  # "<section>.<position in the seed's list>", see above

# The titles as translatable text (served by GET /api/v1/labels as `RequirementClause` in the
# caller's language): English msgids whose Chinese in the catalogue is the seed's wording
# above (libs/common/tests/test_i18n.py checks they render as REQUIREMENT_CLAUSES).
CLAUSE_TITLES: dict[str, Message] = {
    "4.1": _("General requirements"),
    "4.2": _("Documentation requirements"),
    "5.1": _("Top management"),
    "5.2": _("Management representative"),
    "5.3": _("Focus on a sustainable competitive advantage matching the enterprise's strategy"),
    "5.4": _("Integration policy"),
    "5.5": _("Integration objectives"),
    "5.6": _("Planning of the integration management system"),
    "5.7": _("Responsibilities, coordination and communication"),
    "6.1": _("Funding"),
    "6.2": _("Human resources"),
    "6.3": _("Equipment and facilities"),
    "6.4": _("Information resources"),
    "6.5": _("Information security"),
    "7.1": _("Planning"),
    "7.2": _("Optimizing business processes and organizational structure"),
    "7.3": _("Technical implementation"),
    "7.4": _("Matching and standardization"),
    "7.5": _("Operation and maintenance"),
    "7.6": _("Data development and use"),
    "7.7": _("Dynamic adjustment"),
    "8.1": _("Assessment and diagnosis"),
    "8.2": _("Monitoring and measurement"),
    "8.3": _("Internal audit"),
    "8.4": _("Performance evaluation"),
    "8.5": _("Management review"),
    "8.6": _("Improvement"),
}


# --- Number families (the platform's own numbering; the seed prescribes none) ---------------
# An enterprise's 认定证书 and a person's 资质证书 are told apart by their prefix, so the public
# (and the verification endpoints) know which register a number belongs to.
CERTIFICATE_NUMBER_PREFIX = "IIMS-RZ-"  # 企业 两化融合管理体系认定证书 (认证/认定)
QUALIFICATION_NUMBER_PREFIXES: dict[str, str] = {
    "consultant": "IIMS-ZX-",  # 咨询资质 (贯标服务机构专业人员)
    "auditor": "IIMS-RD-",  # 认定资质 (认定审核员)
    "lead_auditor": "IIMS-ZZ-",  # 认定资质 (审核组长)
}


def number_family(number: str) -> str | None:
    """`certificate`, `qualification` or None, from a (folded) number's prefix."""
    if number.startswith(CERTIFICATE_NUMBER_PREFIX):
        return "certificate"
    if number.startswith(tuple(QUALIFICATION_NUMBER_PREFIXES.values())):
        return "qualification"
    return None
