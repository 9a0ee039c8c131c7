"""Test helpers every service's tests use: real PostgreSQL databases migrated by Alembic,
identities, and reading/publishing topics on a real broker. (No mocks of our own DB/broker.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from iims_common.events.envelope import STRUCTURED_HEADERS
from iims_common.events.kafka import encode_headers
from iims_common.identity import Caller, Role, mint_internal_token
from iims_contracts.base import EventContract

ROOT = Path(__file__).resolve().parents[3]
PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "test-internal-secret-of-sufficient-length"

# A topic as the tests name it: an event contract (its topic) or, for the bus's own tests and
# derived topics (`<topic>.dlq`), the string.
Topic = str | type[EventContract]


def topic_of(topic: Topic) -> str:
    """The Kafka topic of a contract, or the string as given."""
    return topic if isinstance(topic, str) else topic.topic


def dlq_of(topic: Topic) -> str:
    """The dead-letter topic of a contract's topic (`<topic>.dlq`)."""
    from iims_common.events.consumer import DLQ_SUFFIX

    return topic_of(topic) + DLQ_SUFFIX


def pg_url(database: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + database


def migrate(service: str, url: str) -> str:
    """Run the service's real Alembic history up to head on `url`; returns `url`."""
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT / "services" / service,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return url


def create_migrated_database(name: str, service: str = "registry") -> str:
    """Drop/create a PostgreSQL database and run the service's real Alembic migrations.

    `IIMS_TEST_DB_SUFFIX` (environment) is appended to `name`, so two checkouts can run
    their suites on one PostgreSQL server at the same time without dropping each other's
    databases.
    """
    name += os.environ.get("IIMS_TEST_DB_SUFFIX", "")
    for sql in (
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
    ):
        subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True, capture_output=True)
    return migrate(service, pg_url(name))


def create_migrated_sqlite(directory: Path, service: str) -> str:
    """A fresh SQLite database file `<directory>/<service>.db` migrated by the service's real
    Alembic history (the `make run` backend); returns its async URL."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{service}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return migrate(service, f"sqlite+aiosqlite:///{path}")


def mint(
    role: Role, *, province: str | None = None, org: uuid.UUID | None = None
) -> dict[str, str]:
    caller = Caller(
        subject=f"test-{role}-{uuid.uuid4().hex[:6]}",
        role=role,
        province_code=province,
        organization_id=org,
    )
    # Tests keep one identity for a whole module; on a loaded machine a module can outlast
    # the 5-minute production lifetime, so test identities live for two hours.
    token = mint_internal_token(SECRET, caller, ttl=dt.timedelta(hours=2))
    return {"X-IIMS-Identity": token}


async def read_topic(
    bootstrap: str,
    topic: Topic,
    predicate: Callable[[dict[str, Any]], bool] = lambda _: True,
    *,
    count: int = 1,
    timeout: float = 20.0,
) -> list[tuple[bytes | None, dict[str, Any], dict[str, str]]]:
    """Read `topic` from the beginning until `count` messages match; (key, value, headers)."""
    consumer = AIOKafkaConsumer(
        topic_of(topic),
        bootstrap_servers=bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[bytes | None, dict[str, Any], dict[str, str]]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while len(found) < count and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for records in batch.values():
                for r in records:
                    try:
                        value = json.loads(r.value) if r.value else {}
                    except ValueError:
                        value = {"_raw": r.value}
                    headers = {k: v.decode() for k, v in r.headers}
                    if predicate(value):
                        found.append((r.key, value, headers))
    finally:
        await consumer.stop()
    return found


async def publish(bootstrap: str, topic: Topic, value: dict[str, Any] | bytes, key: str) -> None:
    """One message on `topic` (a contract's topic) as a producer of the platform sends it:
    structured CloudEvent, `key` the aggregate id."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        await producer.send_and_wait(
            topic_of(topic), raw, key=key.encode(), headers=encode_headers(STRUCTURED_HEADERS)
        )
    finally:
        await producer.stop()


async def publish_event(
    bootstrap: str, event: EventContract, *, time: str | None = None
) -> dict[str, Any]:
    """A typed event as its producer would publish it (its topic, key and envelope from the
    contract); returns the CloudEvent sent (its `id` names it in an inbox)."""
    value = cloud_event(event, time=time)
    await publish(bootstrap, type(event), value, event.kafka_key())
    return value


async def publish_many(bootstrap: str, messages: list[tuple[Topic, dict[str, Any], str]]) -> None:
    """(topic, value, key) in order, through one producer."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for topic, value, key in messages:
            await producer.send_and_wait(
                topic_of(topic),
                json.dumps(value).encode(),
                key=key.encode(),
                headers=encode_headers(STRUCTURED_HEADERS),
            )
    finally:
        await producer.stop()


def cloud_event(
    event: EventContract | type[EventContract],
    data: dict[str, Any] | None = None,
    *,
    subject: str | None = None,
    source: str | None = None,
    time: str | None = None,
) -> dict[str, Any]:
    """A CloudEvent as the contract's producer would publish it (JSON-ready): a typed event
    (`data`, subject = key from it), or a contract class with raw `data` (a test's malformed
    or hand-shaped payload) and its `subject`. `source` defaults to the producer's."""
    contract = event if isinstance(event, type) else type(event)
    if not isinstance(event, type):
        data = event.payload() if data is None else data
        subject = subject or event.kafka_key()
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source or contract.ce_source(),
        "type": contract.event_type(),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data if data is not None else {},
    }
    if subject is None:
        del envelope["subject"]
    if time:
        envelope["time"] = time
    return envelope


def table_csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    """A table as an organization's CSV export has it: the header line, then the rows, CRLF."""
    import csv
    import io

    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def table_xlsx(header: list[str], rows: list[list[str]], *, title: str | None = None) -> bytes:
    """The same table as an .xlsx workbook, optionally under a title line (as the provinces'
    summary sheets have one)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if title is not None:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def all_processed(
    sessionmaker: Any, event_ids: list[str], consumer: str | None = None
) -> bool:
    """Whether a service's inbox holds every one of these event ids."""
    from sqlalchemy import func, select

    from iims_common.events.tables import processed_events

    stmt = select(func.count(func.distinct(processed_events.c.event_id))).where(
        processed_events.c.event_id.in_(event_ids)
    )
    if consumer:
        stmt = stmt.where(processed_events.c.consumer == consumer)
    async with sessionmaker() as session:
        return bool(await session.scalar(stmt) == len(set(event_ids)))


async def eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll an async/sync check until it returns truthy (for effects of background workers)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def truncate(sessionmaker: Any, tables: str, attempts: int = 10) -> None:
    """Empty tables between tests. The app's relay and consumers keep running meanwhile, so a
    TRUNCATE can deadlock with them; PostgreSQL then aborts one side and we simply retry."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for attempt in range(attempts):
        try:
            async with sessionmaker() as session, session.begin():
                await session.execute(text(f"TRUNCATE {tables} CASCADE"))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.1 * (attempt + 1))


GARBAGE_BODIES: list[bytes] = [
    b"{broken",
    b"",
    b"null",
    b"[]",
    b'{"name": {"$gt": ""}, "limit": -1}',
    "\u0000\ud7ff".encode("utf-8", "surrogatepass"),
    b'{"uscc": "' + b"9" * 10_000 + b'"}',
]
GARBAGE_IDS = ["not-a-uuid", str(uuid.uuid4()), "0" * 300, "%00", "..%2f..%2fetc"]
GARBAGE_QUERY = {
    "limit": "-5",
    "cursor": "\u4e2d\u6587",
    "province_code": "x" * 50,
    "status": "nonsense",
    "as_of": "yesterday",
}


def _concrete(path: str, value: str) -> str:
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + value + path[end + 1 :]
    return path


async def fuzz_operations(
    client: Any, callers: list[dict[str, str]], bodies: list[bytes] | None = None
) -> int:
    """Every operation of the app's OpenAPI, fed garbage ids, bodies and queries as each
    caller: never a 5xx, every error problem+json, never a stack trace. Returns how many
    requests were sent (a small in-suite fuzzer; schemathesis goes deeper)."""
    spec = (await client.get("/openapi.json")).json()
    requests: list[tuple[str, str, dict[str, str], bytes | None, dict[str, str]]] = []
    for template, operations in spec["paths"].items():
        for method in operations:
            for ident in GARBAGE_IDS:
                path = _concrete(template, ident)
                for headers in callers:
                    if method in ("post", "patch", "put"):
                        for body in GARBAGE_BODIES + (bodies or []):
                            h = {**headers, "content-type": "application/json", "If-Match": '"1"'}
                            requests.append((method, path, h, body, {}))
                    else:
                        requests.append((method, path, headers, None, GARBAGE_QUERY))

    async def send(req: tuple[str, str, dict[str, str], bytes | None, dict[str, str]]) -> None:
        method, path, headers, body, params = req
        r = await client.request(method, path, headers=headers, content=body, params=params)
        assert r.status_code < 500, (method, path, body, r.status_code, r.text[:300])
        if r.status_code >= 400:
            assert r.headers["content-type"] == "application/problem+json", (method, path)
            assert "Traceback" not in r.text

    for start in range(0, len(requests), 50):
        await asyncio.gather(*(send(r) for r in requests[start : start + 50]))
    return len(requests)


# --- exports -------------------------------------------------------------------------------


def assert_no_formulas(raw: bytes) -> None:
    """An .xlsx export holds no formula: no cell typed `f`, no `<f>` element in any sheet
    XML, no string cell starting with `=` (OWASP CSV injection)."""
    import io
    import zipfile

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(raw))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), cell.value
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name


def assert_printable(raw: bytes) -> None:
    """An .xlsx export prints: landscape, fit to one page wide, header row frozen and
    repeated on every page, column widths set."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(raw))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr is not None
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.freeze_panes == "A2"
        assert ws.print_title_rows == "$1:$1"
        assert all(ws.column_dimensions[c].width for c in "AB")


async def outbox_event_ids(sessionmaker: Any) -> set[str]:
    """The ids of the events a service wrote into its outbox (published rows are kept for a
    while): what it emitted, as opposed to what tests put on the broker by hand."""
    from sqlalchemy import select

    from iims_common.events.tables import outbox

    async with sessionmaker() as session:
        return {str(i) for i in (await session.scalars(select(outbox.c.event_id))).all()}


async def read_all(bootstrap: str, topics: list[str]) -> list[Any]:
    """Every record now on these topics (from the beginning to the current end)."""
    from aiokafka import TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        existing = await consumer.topics()
        partitions = [
            TopicPartition(t, p)
            for t in topics
            if t in existing
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[Any] = []
        while any([await consumer.position(tp) < end[tp] for tp in partitions]):
            batch = await consumer.getmany(timeout_ms=500)
            for rs in batch.values():
                records.extend(
                    r for r in rs if r.offset < end[TopicPartition(r.topic, r.partition)]
                )
        return records
    finally:
        await consumer.stop()


async def read_with_cloudevents_sdk(
    bootstrap: str, event_ids: set[str] | None = None, topics: list[str] | None = None
) -> set[str]:
    """Read every catalogue topic as a CloudEvents-binding-aware consumer does — the official
    SDK's auto-detecting Kafka reader (`from_kafka_event`: binary mode if any `ce_` header,
    structured otherwise) — and check each message (on `topics`, default all; whose id is in
    `event_ids`, default any): no `ce_`
    headers, structured content type, `traceparent` kept, a type of the contracts on its own
    topic, `data` valid for the contract, key = subject = the contract's aggregate id, source
    the producer's, the topic a channel of the AsyncAPI document. Returns the types read."""
    from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

    from iims_contracts import contract_for_type
    from iims_contracts import topics as all_topics
    from iims_contracts.asyncapi import document

    documented = set(document()["channels"])
    seen: set[str] = set()
    for record in await read_all(bootstrap, topics or all_topics()):
        if event_ids is not None and json.loads(record.value).get("id") not in event_ids:
            continue
        headers = dict(record.headers)
        assert not [h for h in headers if h.lower().startswith("ce_")], headers
        assert headers["content-type"] == STRUCTURED_HEADERS["content-type"].encode()
        assert headers["traceparent"].startswith(b"00-"), headers
        event = from_kafka_event(KafkaMessage(headers=headers, key=record.key, value=record.value))
        contract = contract_for_type(event.get_type())
        assert contract is not None and contract.topic == record.topic, event.get_type()
        data = contract.parse(event.get_data())
        assert record.key.decode() == data.kafka_key() == event.get_subject()
        assert event.get_source() == contract.ce_source() and event.get_id()
        assert record.topic in documented
        seen.add(contract.event_type())
    return seen


_CJK = re.compile(r"[\u3400-\u9fff]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _texts(problem: dict[str, Any]) -> list[str]:
    return [problem["title"], problem["detail"], *(e["message"] for e in problem.get("errors", []))]


async def assert_refusal_in_both_languages(
    client: Any,
    method: str,
    url: str,
    *,
    status: int,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Send a request the service refuses twice — with no `Accept-Language` and with `en` —
    and check the problem in both: every human text (`title`, `detail`, each field `message`)
    is Chinese by default and English on request, while the machine fields (`status`, `type`,
    `rule`, each `field`) are identical. Returns the Chinese problem.

    Use it on refusals that do not change state (it sends the request twice)."""
    zh = await client.request(method, url, headers=headers, **kwargs)
    en = await client.request(
        method, url, headers={**(headers or {}), "Accept-Language": "en"}, **kwargs
    )
    assert zh.status_code == en.status_code == status, (zh.status_code, en.status_code, zh.text)
    assert zh.headers["content-language"] == "zh-CN" and en.headers["content-language"] == "en"
    p_zh, p_en = zh.json(), en.json()
    for key in ("status", "type", "rule"):
        assert p_zh.get(key) == p_en.get(key), key
    fields = [e["field"] for e in p_zh.get("errors", [])]
    assert fields == [e["field"] for e in p_en.get("errors", [])]
    for text_zh, text_en in zip(_texts(p_zh), _texts(p_en), strict=True):
        assert _CJK.search(text_zh), f"not Chinese under the default language: {text_zh!r}"
        assert _ENGLISH_WORD.search(text_en) and text_en != text_zh, f"not English: {text_en!r}"
    return dict(p_zh)


PLATFORM_PORTS = ("REGISTRY", "TRAINING", "ASSESSMENT", "AUDIT", "GATEWAY", "BROKER")


def platform_env(var: Path) -> tuple[dict[str, str], dict[str, int]]:
    """The environment of a `make run` of a test's own: a free port for every service and the
    broker (`<NAME>_PORT`), its `VAR_DIR`, the tests' internal secret, and none of the caller's
    `DATABASE_URL`/`KAFKA_BOOTSTRAP_SERVERS`. Returns (env, ports by name)."""
    from iims_common.broker import free_port

    ports = {name: free_port() for name in PLATFORM_PORTS}
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    env.update({f"{name}_PORT": str(port) for name, port in ports.items()})
    env.update(VAR_DIR=str(var), INTERNAL_TOKEN_SECRET=SECRET)
    return env, ports


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class MakeRun:
    """`make run` (or another command that starts the platform the same way, e.g.
    `scripts/dev_run.py`) as a user starts it, in its own process group, with its output
    collected line by line."""

    def __init__(self, env: dict[str, str], command: list[str] | None = None) -> None:
        self.output: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            command or ["make", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
        )
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if "is running" in line:
                self.ready.set()

    def wait_ready(self, timeout: float = 240) -> str:
        """Waits for the banner; returns the admin API key it prints."""
        deadline = time.monotonic() + timeout
        while not self.ready.wait(1):
            # A platform that exited will never print the banner: fail now, not after `timeout`.
            if self.proc.poll() is not None:
                self.pump.join(10)
                raise AssertionError(
                    f"make run exited ({self.proc.returncode}) before it came up:\n" + self.tail()
                )
            assert time.monotonic() < deadline, "make run did not come up:\n" + self.tail()
        time.sleep(1)  # the rest of the banner
        return next(
            line.split()[3] for line in self.output if line.strip().startswith("admin API key")
        )

    def wait_for(self, text: str, timeout: float = 90) -> None:
        """Waits until a line of the output contains `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.output):
                return
            time.sleep(0.2)
        raise AssertionError(f"no {text!r} in make run's output:\n{self.tail()}")

    def tail(self) -> str:
        """The end of the output without the access log."""
        return "".join(line for line in self.output[-60:] if " INFO " not in line)

    def ctrl_c(self, timeout: float = 60) -> None:
        """What Ctrl-C in a terminal does (SIGINT to the process group); if the platform has
        not stopped within `timeout`, SIGKILL and fail."""
        try:
            os.killpg(self.proc.pid, signal.SIGINT)
            self.proc.wait(timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise AssertionError("make run did not stop on Ctrl-C:\n" + self.tail()) from None
        self.pump.join(10)  # the output up to the end of the pipe
