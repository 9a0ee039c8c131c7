"""The web console (web/, DESIGN.md §5) served at `/`: the built single-page app's files,
`index.html` for any other non-API path (history-mode routing), hashed assets cached for a
year, and a strict Content-Security-Policy that allows nothing from another host.

The directory is `CONSOLE_DIR` (the image sets it; `make run` builds `web/dist`). Paths that
belong to the API or operations (`/api/…`, `/docs`, `/openapi.json`, `/healthz`, …) never
fall back to the console: an unknown one is a problem+json 404 like any other API miss.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from iims_common.errors import NotFound
from iims_common.i18n import _

router = APIRouter(include_in_schema=False)

# First path segments that are never the console's (the API, its docs, operations).
RESERVED = frozenset(
    {"api", "docs", "redoc", "openapi.json", "asyncapi.json", "healthz", "readyz", "metrics"}
)
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # Element Plus and ECharts set style attributes at run time.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
IMMUTABLE = "public, max-age=31536000, immutable"  # /assets/* carry a content hash
REVALIDATE = "no-cache"  # index.html and unhashed files: always revalidated


def default_console_dir() -> Path:
    """`web/dist` of the source checkout this package runs from (editable install)."""
    return Path(__file__).resolve().parents[4] / "web" / "dist"


def console_dir(request: Request) -> Path:
    configured: str = request.app.state.settings.console_dir
    return Path(configured) if configured else default_console_dir()


def _file(path: Path, cache: str) -> FileResponse:
    return FileResponse(path, headers={**SECURITY_HEADERS, "Cache-Control": cache})


@router.api_route("/{path:path}", methods=["GET", "HEAD"])
async def console(path: str, request: Request) -> Response:
    """A file of the built console, or its index.html for a client-side route."""
    first = path.split("/", 1)[0]
    if first in RESERVED:
        raise NotFound(_("No resource at {path}", path=request.url.path))
    root = console_dir(request).resolve()
    index = root / "index.html"
    if not index.is_file():
        raise NotFound(
            _(
                "The web console is not built here: run `make run` (it builds web/) "
                "or `npm ci && npm run build` in web/"
            )
        )
    if path:
        candidate = (root / path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            hashed = candidate.is_relative_to(root / "assets")
            return _file(candidate, IMMUTABLE if hashed else REVALIDATE)
        if first == "assets" or "." in path.rsplit("/", 1)[-1]:
            # A missing asset is a 404, not the app (a stale index.html would loop).
            raise NotFound(_("No file {path}", path=request.url.path))
    return _file(index, REVALIDATE)
