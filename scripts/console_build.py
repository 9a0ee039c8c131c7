"""Build the web console (web/ → web/dist) for `make run` when its sources changed.

The sources' digest (web/src, web/public, index.html, the lock file and the build config) is
kept in `web/dist/.source-digest`; an unchanged digest skips the build. `npm ci` runs when
node_modules is missing or older than package-lock.json. Without Node/npm the API still runs
and the console URL says how to build it.

    .venv/bin/python scripts/console_build.py [--force]   # build if needed (or always)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
DIST = WEB / "dist"
DIGEST = DIST / ".source-digest"
INPUTS = ("index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.app.json")
TREES = ("src", "public")


def source_digest(web: Path = WEB) -> str:
    """SHA-256 over every input file's relative path and bytes (sorted, so stable)."""
    h = hashlib.sha256()
    files = [web / f for f in INPUTS if (web / f).is_file()]
    for tree in TREES:
        files += [p for p in (web / tree).rglob("*") if p.is_file()]
    for path in sorted(files):
        h.update(str(path.relative_to(web)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _say(message: str) -> None:
    """Progress on stdout, so a first `make run` does not sit silent for minutes."""
    print(f"[make run] {message}", flush=True)


def _npm_ci_needed(web: Path) -> bool:
    stamp = web / "node_modules" / ".package-lock.json"
    lock = web / "package-lock.json"
    return not stamp.is_file() or stamp.stat().st_mtime < lock.stat().st_mtime


def ensure_built(web: Path = WEB, force: bool = False) -> str:
    """Build web/dist if its sources changed (always with `force`); returns a one-line
    account of what happened. Raises CalledProcessError when npm or vite fails (a broken
    console should be seen, not served stale)."""
    dist, digest_file = web / "dist", web / "dist" / ".source-digest"
    digest = source_digest(web)
    built = (dist / "index.html").is_file() and digest_file.is_file()
    if not force and built and digest_file.read_text().strip() == digest:
        return "web console up to date (web/dist)"
    if shutil.which("npm") is None:
        return "web console NOT built: Node.js/npm not found (install Node 20, then make run again)"
    env = {**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    if _npm_ci_needed(web):
        _say("installing the web console's packages (npm ci, about a minute) …")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=web,
            env=env,
            check=True,
        )
    _say("building the web console (vite build) …")
    subprocess.run(["npx", "vite", "build", "--logLevel", "warn"], cwd=web, env=env, check=True)
    digest_file.write_text(digest + "\n")
    return "web console built (web/dist)"


if __name__ == "__main__":
    print(ensure_built(force="--force" in sys.argv[1:]))
    sys.exit(0)
