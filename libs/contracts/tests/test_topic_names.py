"""A topic is named in one place: its contract in `libs/contracts`. Everywhere else code names
it through the contract (`PilotEnrolled.topic`, `.event_type()`, the class itself).

What counts: string literals in code — Python (any string that is not a docstring), the
console's TypeScript/Vue/JavaScript, and configuration (YAML, JSON, TOML, shell, Makefile,
Dockerfile). What does not: prose that explains — Markdown, docstrings and comments — and what
is generated from the contracts (the console's OpenAPI types, the gettext catalogue built from
the code's messages, which this test covers at their source).
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

from iims_contracts import topics

ROOT = Path(__file__).resolve().parents[3]
GENERATED = {"web/src/api/schema.d.ts"}
PROSE = (".md", ".po", ".txt", ".rst")
CONFIG = (".yaml", ".yml", ".json", ".toml", ".sh", ".cfg", ".ini", ".env", ".tpl")
CONFIG_NAMES = ("Makefile", "Dockerfile")
WEB = (".ts", ".vue", ".js", ".mjs", ".cjs", ".tsx")

# A topic as a token: not part of a longer kebab-case word (`.dlq` and `cn.iims.…v1` count).
NAMES = re.compile(
    r"(?<![A-Za-z0-9_-])(" + "|".join(map(re.escape, topics())) + r")(?![A-Za-z0-9_-])"
)


def tracked_files() -> list[str]:
    """Every file git tracks (and untracked ones it does not ignore), outside libs/contracts."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return sorted(
        p
        for p in set(out)
        if p and not p.startswith("libs/contracts/") and p not in GENERATED and (ROOT / p).is_file()
    )


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ) and (
            node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        ):
            ids.add(id(node.body[0].value))
    return ids


def python_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of the string constants of a module that are not docstrings."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


_BLOCK = re.compile(r"/\*.*?\*/|<!--.*?-->", re.S)
_LINE = re.compile(r"(^|\s)//.*$", re.M)
_HASH = re.compile(r"(^|\s)#.*$", re.M)


def _blank(match: re.Match[str]) -> str:
    """A comment replaced by as many newlines, so line numbers stay."""
    return "\n" * match.group(0).count("\n")


def code_lines(path: str, text: str) -> list[tuple[int, str]]:
    """(line, text) of what a non-Python file says outside its comments."""
    if path.endswith(WEB):
        text = _LINE.sub(r"\1", _BLOCK.sub(_blank, text))
    else:
        text = _HASH.sub(r"\1", text)
    return list(enumerate(text.split("\n"), start=1))


def offenders(path: str, text: str) -> list[str]:
    """`path:line: text` of every place this file names a topic as a string."""
    if path.endswith(PROSE) or "/node_modules/" in path:
        return []
    if path.endswith(".py"):
        places = python_literals(text)
    elif path.endswith(WEB + CONFIG) or path.rsplit("/", 1)[-1] in CONFIG_NAMES:
        places = code_lines(path, text)
    else:
        return []
    return [f"{path}:{line}: {s.strip()[:120]}" for line, s in places if NAMES.search(s)]


def test_topics_are_named_only_in_the_contracts() -> None:
    found: list[str] = []
    for path in tracked_files():
        try:
            text = (ROOT / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += offenders(path, text)
    assert not found, "topic names outside libs/contracts (use the contract):\n" + "\n".join(found)


def test_the_check_sees_literals_and_spares_prose() -> None:
    """The scanner itself: a literal is found, in Python, TypeScript and YAML; docstrings,
    comments and Markdown are not."""
    topic = topics()[0]
    py = f'"""Reads `{topic}`."""\n# {topic}\nx = "{topic}.dlq"\ny = f"cn.iims.{topic}.v1"\n'
    assert [o.split(":")[1] for o in offenders("a.py", py)] == ["3", "4"]
    ts = f"/**\n * {topic}\n */\n// {topic}\nconst a = '{topic}' // {topic}\n"
    assert [o.split(":")[1] for o in offenders("a.ts", ts)] == ["5"]
    assert offenders("values.yaml", f"# {topic}\ntopic: {topic}\n") == [
        f"values.yaml:2: topic: {topic}"
    ]
    assert offenders("README.md", f"`{topic}`") == []
    assert offenders("a.py", f'x = "{topic}-like-but-longer"\n') == []
