"""Structured JSON logs; every line carries the request id of the request that caused it."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from iims_common.context import request_id_var, traceparent_var

# Attributes every LogRecord has: anything else on a record came from `extra=` and is the
# line's structured data (the JSON formatter writes it as fields; the text one appends it).
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "trace_id",
    "taskName",
}


class TextFormatter(logging.Formatter):
    """One line per record for a terminal (`LOG_JSON=false`, what `make run` uses): the
    message followed by the record's `extra` fields as `key=value`, so the access log says
    `request method=GET path=/api/v1/… status=200 duration_ms=3.1`, not just `request`."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(
            f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD_ATTRIBUTES
        )
        if not extra:
            return line
        head, sep, tail = line.partition("\n")  # a traceback stays below the line
        return f"{head} {extra}{sep}{tail}"


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        traceparent = traceparent_var.get()
        # W3C trace id, so a log line can be found from a trace (and the other way round).
        record.trace_id = traceparent[3:35] if traceparent else None
        return True


def configure_logging(service: str, level: str = "INFO", json_logs: bool = True) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_RequestIdFilter())
    if json_logs:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(trace_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
                datefmt="%Y-%m-%dT%H:%M:%S%z",
            )
        )
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own lines go through the same handler; its access log is replaced by ours
    # (with request id and route).
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
