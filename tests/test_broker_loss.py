"""`kill -9` of the broker in the middle of a stream of pilot selections, restarted empty on
the same port: every consumer's effect count equals the number of pilots exactly — none lost
(the relays re-publish what the broker lost; consumers re-read what moved), none twice (the
inboxes). Once with a short outage, once with the broker down longer than a consumer's
session timeout (aiokafka's default, 10 s). The scenario lives in tests/broker_loss.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from broker_loss import run

SESSION_TIMEOUT_S = 10.0  # aiokafka's default session_timeout_ms


@pytest.mark.parametrize(
    ("pilots", "down_s"),
    [(2000, 3.0), (500, SESSION_TIMEOUT_S + 5.0)],
    ids=["2000-pilots-short-outage", "500-pilots-outage-past-session-timeout"],
)
async def test_no_event_lost_when_the_broker_loses_its_log(
    tmp_path: Path, pilots: int, down_s: float
) -> None:
    result = await run(pilots, down_s, tmp_path)
    print(result)
    # What the services logged (WARNs of the relays and consumers, worker restarts), so a
    # failure on a CI machine can be read without running it again.
    log = (tmp_path / "make-run.log").read_text(errors="replace").splitlines()
    told = "\n".join(x for x in log if " WARNING " in x or " ERROR " in x)[-20_000:]
    wanted = {k: pilots for k in result.counts}
    assert result.counts == wanted, f"{result}\n{told}"
    assert result.duplicates == {}, f"{result}\n{told}"
    assert result.republished > 0, f"the relays noticed nothing\n{told}"
