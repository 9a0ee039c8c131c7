"""UUIDv7 ids: `new_ids` and its lazy sibling `iter_new_ids` make the same kind of ids."""

from __future__ import annotations

import uuid

from iims_common.ids import iter_new_ids, new_id, new_ids


def test_iter_new_ids_reserves_at_once_and_makes_increasing_v7_ids() -> None:
    before = new_id()
    lazy = iter_new_ids(1000)
    between = new_id()  # after the reservation: later than every id of `lazy`
    ids = list(lazy)
    assert len(ids) == len(set(ids)) == 1000
    assert all(isinstance(i, uuid.UUID) and i.version == 7 for i in ids)
    assert all(i.variant == uuid.RFC_4122 for i in ids)
    assert before < ids[0] and ids == sorted(ids) and ids[-1] < between
    assert all(uuid.UUID(str(i)) == i and hash(i) == hash(uuid.UUID(str(i))) for i in ids)
    listed = new_ids(3)
    assert between < listed[0] < listed[1] < listed[2]
