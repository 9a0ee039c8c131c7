"""`LabelledEnum`: labels declared once in the enum's body (`__labels__`), looked up by class
and code — two enums sharing a code keep their own labels — and checked when the class is
created."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from iims_common.enums import LabelledEnum, served_labels
from iims_common.i18n import DEFAULT_LOCALE, ENGLISH, _


class FindingState(LabelledEnum):
    open = "open"
    closed = "closed"

    __labels__ = {open: _("Awaiting correction"), closed: _("Closed")}


class ObjectionState(LabelledEnum):
    open = "open"
    upheld = "upheld"

    __labels__ = {open: _("Open"), upheld: _("Objection upheld")}


def test_two_enums_sharing_a_code_keep_their_own_labels() -> None:
    # The members are equal strs (same hash): one dict keyed by members gave both one label.
    assert FindingState.open == ObjectionState.open
    assert hash(FindingState.open) == hash(ObjectionState.open)
    assert FindingState.open.label_in(ENGLISH) == "Awaiting correction"
    assert ObjectionState.open.label_in(ENGLISH) == "Open"
    assert FindingState.open.label == "待整改"
    assert ObjectionState.open.label == "待处理"
    served = served_labels([FindingState, ObjectionState], DEFAULT_LOCALE)
    assert served == {
        "FindingState": {"open": "待整改", "closed": "已关闭"},
        "ObjectionState": {"open": "待处理", "upheld": "异议成立"},
    }
    # Parsing by label stays within the enum: another enum's label of the same code is no input.
    assert FindingState("待整改") is FindingState.open
    assert ObjectionState("待处理") is ObjectionState.open
    with pytest.raises(ValueError):
        FindingState("待处理")


def test_labels_are_in_declaration_order_and_read_only() -> None:
    assert list(FindingState.__labels__) == ["open", "closed"]
    assert FindingState.labels(ENGLISH) == {"open": "Awaiting correction", "closed": "Closed"}
    with pytest.raises(TypeError):
        FindingState.__labels__["open"] = _("Open")  # type: ignore[index]


def test_a_member_without_a_label_or_a_label_without_a_member_is_refused() -> None:
    with pytest.raises(TypeError, match=r"without a label \['closed'\], not a member \[\]"):

        class Unlabelled(LabelledEnum):
            open = "open"
            closed = "closed"

            __labels__ = {open: _("Open")}

    with pytest.raises(TypeError, match=r"not a member \['clsoed'\]"):

        class Typo(LabelledEnum):
            open = "open"

            __labels__ = {open: _("Open"), "clsoed": _("Closed")}

    with pytest.raises(TypeError, match="must declare __labels__"):

        class Undeclared(LabelledEnum):
            open = "open"


def test_refusal_names_codes_and_labels() -> None:
    class Body(BaseModel):
        state: FindingState

    assert Body.model_validate({"state": " 待整改 "}).state is FindingState.open
    with pytest.raises(ValidationError) as info:
        Body.model_validate({"state": "待处理"})
    assert "'open' (待整改) or 'closed' (已关闭)" in str(info.value)
