"""The web console in a real browser against a real platform (DESIGN.md §5, issue 15): the
platform is started as `make run` starts it (its own ports, SQLite under a fresh var dir,
demo data and demo logins), then Playwright drives Debian's Chromium through every page and
the two journeys (web/e2e/*.spec.ts: axe-core on every page, screenshots in
web/test-results/screenshots/), and Lighthouse measures the public home page, the
national dashboard and part 2's questionnaire, report, audit planning and certificate pages
with the whole-programme walk's data (web/e2e/lighthouse.mjs).

`make test` builds the console first (`make web-check`); run alone with `make web-e2e`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from iims_common.testing import ROOT, MakeRun, platform_env

WEB = ROOT / "web"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """(gateway URL, admin API key, var dir) of a `make run`-like platform with the demo
    loaded (the var dir holds the services' SQLite files: the whole-programme browser test
    lets time pass in the audit service's, scripts/e2e_time.py)."""
    assert (WEB / "dist" / "index.html").is_file(), "build the console first: make web-check"
    assert (WEB / "node_modules").is_dir(), "install the console's packages: make web-install"
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install chromium (see .ci/run)"
    var = tmp_path_factory.mktemp("web-e2e") / "var"
    env, ports = platform_env(var)
    # web/e2e/points.spec.ts subscribes a webhook receiver it runs on 127.0.0.1.
    env.update(WEBHOOK_ALLOW_PRIVATE_TARGETS="true")
    run = MakeRun(env, [str(ROOT / ".venv" / "bin" / "python"), "scripts/dev_run.py"])
    try:
        key = run.wait_ready(420)
        gateway = f"http://127.0.0.1:{ports['GATEWAY']}"
        # The public figures come from the gateway's read model, fed by the demo's events.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            figures = httpx.get(f"{gateway}/api/v1/public/figures", timeout=10).json()
            if any(b["year"] == 2014 and b["pilots"] >= 500 for b in figures.get("batches", [])):
                break
            time.sleep(2)
        yield gateway, key, var
    finally:
        run.ctrl_c()


def _node_env(gateway: str, key: str, var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "VAR_DIR": str(var),
        "E2E_BASE_URL": gateway,
        "E2E_ADMIN_KEY": key,
        "CHROME_PATH": CHROMIUM,
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }


def test_every_page_and_both_journeys_in_chromium(platform: tuple[str, str, Path]) -> None:
    """Every page per role, issue 15's journeys, and the whole 2014 programme through the
    console (web/e2e/programme.spec.ts, which leaves test-results/programme.json for the
    Lighthouse test below)."""
    gateway, key, var = platform
    shots = WEB / "test-results" / "screenshots"
    shutil.rmtree(shots, ignore_errors=True)
    (WEB / "test-results" / "programme.json").unlink(missing_ok=True)
    started = time.monotonic()
    run = subprocess.run(
        ["npx", "playwright", "test"],
        cwd=WEB,
        env=_node_env(gateway, key, var),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    elapsed = time.monotonic() - started
    print(run.stdout[-6000:], run.stderr[-3000:])
    print(f"browser tests: {elapsed:.1f} s; screenshots in {shots}")
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-3000:]
    assert len(list(shots.glob("*.png"))) >= 25


def test_lighthouse_and_first_load_javascript(platform: tuple[str, str, Path]) -> None:
    """Accessibility ≥ 95 and first-load JS ≤ 350 KB gzip are held here; the performance
    score is printed here and held (≥ 90) by `make bench` (LIGHTHOUSE_PERFORMANCE_BAR=90),
    since a test run on a shared 2-core machine measures the neighbours as much as the
    console. The questionnaire, the report, audit planning and the certificate pages are
    measured with the whole-programme walk's data (walked here first when the browser test
    did not just do it): same accessibility bar, the same performance bar under `make bench`,
    axe counts and the questionnaire's time to interactive printed."""
    gateway, key, var = platform
    # The walk's data, if the browser test walked the programme against this platform; run
    # alone (`make bench`'s lighthouse step), the walk is played here first, so the part-2
    # pages (questionnaire, report, audit planning, certificate) are always measured.
    programme = WEB / "test-results" / "programme.json"
    walked = programme.is_file() and programme.stat().st_mtime > var.parent.stat().st_ctime
    if not walked:
        programme.unlink(missing_ok=True)
        walk = subprocess.run(
            ["npx", "playwright", "test", "e2e/programme.spec.ts"],
            cwd=WEB,
            env=_node_env(gateway, key, var),
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert walk.returncode == 0, walk.stdout[-8000:] + walk.stderr[-3000:]
        walked = programme.is_file()
    run = subprocess.run(
        ["node", "e2e/lighthouse.mjs"],
        cwd=WEB,
        env={
            **_node_env(gateway, key, var),
            **({"E2E_PROGRAMME": str(programme)} if walked else {}),
            "LIGHTHOUSE_PERFORMANCE_BAR": os.environ.get("LIGHTHOUSE_PERFORMANCE_BAR", "0"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(run.stdout, run.stderr[-3000:])
    line = next((x for x in run.stdout.splitlines() if x.startswith("{")), None)
    assert line, run.stdout + run.stderr[-3000:]
    result = json.loads(line)
    for name in ("public home", "national dashboard"):
        assert result["lighthouse"][name]["accessibility"] >= 95, result
    if walked:
        for name in ("questionnaire", "report", "audit planning", "certificate"):
            assert result["lighthouse"][name]["accessibility"] >= 95, result
            assert not result["axe"][name]["by_impact"].get("critical"), result["axe"]
            assert not result["axe"][name]["by_impact"].get("serious"), result["axe"]
    assert result["first_load_js_kb_gzip"] <= 350, result
    assert run.returncode == 0, run.stderr[-3000:]
