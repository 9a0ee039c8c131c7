"""The shared gettext catalogue: complete for every msgid the code renders, placeholders
consistent, language negotiation per RFC 9110 §12.5.4, pydantic messages by error type."""

from __future__ import annotations

import ast

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from iims_common import i18n_catalogue
from iims_common.errors import validation_problem
from iims_common.i18n import (
    DEFAULT_LOCALE,
    ENGLISH,
    _,
    catalogue,
    negotiate,
    placeholders,
    pydantic_message,
)


def test_every_message_in_code_is_translated() -> None:
    """Fails when someone adds `_("...")` without running `make i18n` and translating."""
    template = i18n_catalogue.extract()
    missing = i18n_catalogue.missing(template, i18n_catalogue.read())
    assert not missing, f"untranslated (run `make i18n`, fill msgstr): {missing}"
    assert len(template) > 140


def test_translations_keep_their_placeholders() -> None:
    for msgid, translated in catalogue(DEFAULT_LOCALE).items():
        assert placeholders(translated) <= placeholders(msgid), (msgid, translated)
        assert translated != msgid or not msgid.strip(" ").isalpha(), msgid


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, DEFAULT_LOCALE),
        ("", DEFAULT_LOCALE),
        ("en", ENGLISH),
        ("en-GB", ENGLISH),
        ("zh-CN,zh;q=0.9,en;q=0.8", DEFAULT_LOCALE),
        ("en;q=0.8, zh-Hans;q=0.9", DEFAULT_LOCALE),
        ("fr, en;q=0.1", ENGLISH),
        ("fr", DEFAULT_LOCALE),
        ("en;q=0", DEFAULT_LOCALE),
        ("*", DEFAULT_LOCALE),
        ("en;q=bad", DEFAULT_LOCALE),
        ("\u4e2d\u6587", DEFAULT_LOCALE),
    ],
)
def test_negotiation(header: str | None, locale: str) -> None:
    assert negotiate(header) == locale


class Sample(BaseModel):
    code: str = Field(pattern=r"^[0-9]{6}$")
    size: int = Field(ge=1)
    kind: str

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value != "ok":
            raise ValueError(_("must be 1–{max} characters", max=2))
        return value


def test_pydantic_messages_by_type_and_validator_messages() -> None:
    with pytest.raises(ValidationError) as info:
        Sample.model_validate({"code": "12", "size": 0, "kind": "no"})
    errors = {e["loc"][0]: e for e in info.value.errors()}
    assert pydantic_message(errors["code"], DEFAULT_LOCALE) == "格式不正确，应符合模式“^[0-9]{6}$”"
    assert pydantic_message(errors["size"], DEFAULT_LOCALE) == "应大于或等于 1"
    assert pydantic_message(errors["size"], ENGLISH) == "Input should be greater than or equal to 1"
    assert pydantic_message(errors["kind"], DEFAULT_LOCALE) == "长度应为 1–2 个字符"
    assert pydantic_message(errors["kind"], ENGLISH) == "must be 1–2 characters"
    problem = validation_problem(info.value.errors()).to_problem(locale=DEFAULT_LOCALE)
    assert [e["field"] for e in problem["errors"]] == ["code", "size", "kind"]
    assert problem["title"] == "校验未通过"


# --- no untranslatable text in pydantic validators -----------------------------------------

_VALIDATOR_DECORATORS = {"field_validator", "model_validator", "validator", "root_validator"}
_VALIDATOR_WRAPPERS = {"AfterValidator", "BeforeValidator", "WrapValidator", "PlainValidator"}


def _validator_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    """Functions of a module that pydantic runs as validators (decorated, or wrapped in
    `AfterValidator(f)` & co.), plus the module's own functions they call (one level)."""
    every = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    by_name = {node.name: node for node in every if node.col_offset == 0}
    chosen = []
    for node in every:
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name in _VALIDATOR_DECORATORS:
                chosen.append(node)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _VALIDATOR_WRAPPERS
        ):
            chosen += [
                by_name[a.id] for a in node.args if isinstance(a, ast.Name) and a.id in by_name
            ]
    for fn in list(chosen):
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in by_name
                and by_name[node.func.id] not in chosen
            ):
                chosen.append(by_name[node.func.id])
    return chosen


def _plain_text(node: ast.expr) -> bool:
    """A literal, f-string or concatenation: text that no catalogue can translate."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.BinOp) and (_plain_text(node.left) or _plain_text(node.right))


def test_validator_errors_carry_messages() -> None:
    """A `ValueError`/`AssertionError` a pydantic validator raises becomes a field message
    (`pydantic_message`): it must be `_("...")`, or the client gets English under zh-CN.
    `ProblemError` details and `FieldError` messages are held to the same by mypy (`Message`)."""
    offenders = []
    for sub in i18n_catalogue.SOURCE_DIRS:
        for path in sorted((i18n_catalogue.ROOT / sub).rglob("*.py")):
            # Settings are read at start-up: their refusals are for operators, in English.
            if {"tests", "migrations"} & set(path.parts) or path.name == "settings.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for fn in _validator_functions(tree):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                        args = node.exc.args
                        if args and _plain_text(args[0]):
                            offenders.append(
                                f"{path.relative_to(i18n_catalogue.ROOT)}:{node.lineno}"
                            )
                    elif isinstance(node, ast.Assert) and node.msg and _plain_text(node.msg):
                        offenders.append(f"{path.relative_to(i18n_catalogue.ROOT)}:{node.lineno}")
    assert not offenders, f"validator messages not wrapped in _(): {offenders}"


def test_clause_titles_render_as_the_seed_words_them() -> None:
    """`CLAUSE_TITLES` (served as `RequirementClause` in the caller's language) are the seed's
    Chinese titles in Chinese, and English text in English."""
    from iims_common.standard import CLAUSE_TITLES, REQUIREMENT_CLAUSES

    assert set(CLAUSE_TITLES) == set(REQUIREMENT_CLAUSES)
    for number, title in CLAUSE_TITLES.items():
        assert title.render("zh_CN") == REQUIREMENT_CLAUSES[number], number
        assert title.render("en").isascii(), number
