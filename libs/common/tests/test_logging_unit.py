"""The terminal log format (`LOG_JSON=false`, `make run`) keeps a record's structured data:
an access line names method, path and status, as the JSON lines do."""

from __future__ import annotations

import logging
import sys

from iims_common.logging import TextFormatter


def _record(msg: str, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "iims.access", "levelno": 20, "msg": msg})
    record.__dict__.update(extra)
    return record


def test_text_lines_carry_the_extra_fields() -> None:
    fmt = TextFormatter("%(levelname)s %(name)s %(message)s")
    line = fmt.format(_record("request", method="GET", path="/api/v1/x", status=404))
    assert line.endswith("request method=GET path=/api/v1/x status=404")
    assert fmt.format(_record("plain")).endswith("iims.access plain")


def test_a_traceback_stays_below_the_line() -> None:
    fmt = TextFormatter("%(message)s")
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record("failed", path="/p")
        record.exc_info = sys.exc_info()
    first, _, rest = fmt.format(record).partition("\n")
    assert first == "failed path=/p"
    assert rest.startswith("Traceback") and "ValueError: boom" in rest
