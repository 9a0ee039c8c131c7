"""API keys are cached per replica, and a revocation still takes effect at once everywhere:
two gateway replicas on one database, a key used (and so cached) on replica B, revoked
through replica A — B refuses it on the very next request. A rotation elsewhere is picked up
at once too, and a replica whose listener is lost stops caching until it is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from fastapi import FastAPI
from gateway_platform import Platform

from gateway.main import create_app
from gateway.service.keycache import ApiKeyCache
from iims_common.testing import pg_url


@pytest_asyncio.fixture(loop_scope="session")
async def replica_b(platform: Platform) -> AsyncIterator[FastAPI]:
    """A second gateway on the same database (no background workers: replica A runs them)."""
    settings = platform.settings.model_copy(update={"background_workers": False})
    transports = {n: httpx.ASGITransport(app=a) for n, a in platform.services.items()}
    app = create_app(settings, transports)
    async with app.router.lifespan_context(app):
        cache: ApiKeyCache = app.state.key_cache
        for _ in range(100):  # its listener connects in the background
            if cache.live:
                break
            await asyncio.sleep(0.05)
        assert cache.live
        yield app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def _new_key(gw: httpx.AsyncClient, admin: dict[str, str]) -> tuple[str, str]:
    r = await gw.post(
        "/api/v1/api-keys", json={"name": "replica test", "role": "ministry"}, headers=admin
    )
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["api_key"]


async def test_revocation_reaches_every_replica_at_once(
    gw: httpx.AsyncClient, admin: dict[str, str], replica_b: FastAPI
) -> None:
    cache: ApiKeyCache = replica_b.state.key_cache
    async with _client(replica_b) as b:
        for _ in range(10):
            key_uuid, token = await _new_key(gw, admin)
            key_id = token.split("_")[1]
            for _ in range(2):
                assert (await b.get("/api/v1/me", headers={"X-API-Key": token})).status_code == 200
            assert cache.get(key_id) is not None  # B answers this key from its cache now
            revoked = await gw.delete(f"/api/v1/api-keys/{key_uuid}", headers=admin)
            assert revoked.status_code == 200
            r = await b.get("/api/v1/me", headers={"X-API-Key": token})
            assert r.status_code == 401, r.text
            assert (await gw.get("/api/v1/me", headers={"X-API-Key": token})).status_code == 401


async def test_rotation_elsewhere_is_seen_at_once(
    gw: httpx.AsyncClient, admin: dict[str, str], replica_b: FastAPI
) -> None:
    key_uuid, old = await _new_key(gw, admin)
    async with _client(replica_b) as b:
        assert (await b.get("/api/v1/me", headers={"X-API-Key": old})).status_code == 200
        rotated = await gw.post(f"/api/v1/api-keys/{key_uuid}/rotation", headers=admin)
        new = rotated.json()["api_key"]
        for token in (new, old):  # both valid during the overlap, on B as on A
            assert (await b.get("/api/v1/me", headers={"X-API-Key": token})).status_code == 200
        await gw.delete(f"/api/v1/api-keys/{key_uuid}", headers=admin)
        for token in (new, old):
            assert (await b.get("/api/v1/me", headers={"X-API-Key": token})).status_code == 401


async def test_a_replica_without_its_listener_does_not_cache(
    gw: httpx.AsyncClient, admin: dict[str, str], replica_b: FastAPI, platform: Platform
) -> None:
    import asyncpg

    cache: ApiKeyCache = replica_b.state.key_cache
    _, token = await _new_key(gw, admin)
    key_id = token.split("_")[1]
    async with _client(replica_b) as b:
        assert (await b.get("/api/v1/me", headers={"X-API-Key": token})).status_code == 200
        assert cache.get(key_id) is not None
        old_pid = cache.listener_pid
        database = platform.settings.database_url.rsplit("/", 1)[1]
        conn = await asyncpg.connect(pg_url(database))
        try:
            await conn.execute("SELECT pg_terminate_backend($1)", old_pid)
        finally:
            await conn.close()
        for _ in range(100):
            if not cache.live:
                break
            await asyncio.sleep(0.02)
        assert not cache.live and cache.get(key_id) is None  # emptied and bypassed
        # still served, from the database
        assert (await b.get("/api/v1/me", headers={"X-API-Key": token})).status_code == 200
        assert cache.get(key_id) is None
        for _ in range(200):  # it reconnects by itself
            if cache.live:
                break
            await asyncio.sleep(0.05)
        assert cache.live and cache.listener_pid != old_pid
        assert (await b.get("/api/v1/me", headers={"X-API-Key": token})).status_code == 200
        assert cache.get(key_id) is not None
