"""Print the gateway's merged OpenAPI document without starting a server: every service's
app is built in-process and its `openapi()` merged exactly as the gateway merges what the
services serve at `/openapi.json`. The web console generates its API types from it
(`web/src/api/schema.d.ts`, see web/README.md).

    .venv/bin/python scripts/dump_openapi.py > web/openapi.json
"""

from __future__ import annotations

import json
import sys
from typing import Any


def merged_openapi() -> dict[str, Any]:
    """The document `GET /openapi.json` on the gateway answers (all services reachable)."""
    import assessment.main
    import audit.main
    import registry.main
    import training.main
    from gateway.domain.openapi import merge
    from gateway.main import create_app
    from gateway.settings import SERVICES

    modules = {
        "registry": registry.main,
        "training": training.main,
        "assessment": assessment.main,
        "audit": audit.main,
    }
    specs = {name: modules[name].create_app().openapi() for name in SERVICES}
    return merge(create_app().openapi(), specs)


def main() -> int:
    json.dump(merged_openapi(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
