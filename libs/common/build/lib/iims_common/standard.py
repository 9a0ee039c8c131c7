"""The management-system standard the programme certifies against (from the seed).

《信息化和工业化融合管理体系 要求（试行）》, 工信部公告2014年第3号 (会议材料之六): its requirement
clauses 4–8 are what a self-assessment rates and what an audit finding cites.
"""

from __future__ import annotations

STANDARD_TITLE = "信息化和工业化融合管理体系 要求"
STANDARD_EDITION = "试行 (工信部公告2014年第3号)"

_SECTIONS: dict[int, tuple[str, ...]] = {
    4: ("总要求", "文件要求"),
    5: (
        "最高管理者",
        "管理者代表",
        "关注焦点",
        "方针",
        "目标",
        "管理体系策划",
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
SECTION_TITLES = {4: "管理体系", 5: "管理职责", 6: "基础保障", 7: "实施过程", 8: "评测与改进"}

# "5.1" -> "最高管理者", in the standard's order.
REQUIREMENT_CLAUSES: dict[str, str] = {
    f"{section}.{i}": title
    for section, titles in _SECTIONS.items()
    for i, title in enumerate(titles, start=1)
}
