"""A provincial integrator's first program against the platform, written with nothing but
the Python client generated from the merged OpenAPI document (openapi-python-client with
`openapi-python-client.yaml` beside this file): list the enterprises the key may see, page
by page, and read each one back. `make test` generates the client and runs this against the
running stack (services/gateway/tests/test_gateway_clients.py).

    IIMS_URL=http://127.0.0.1:8000 IIMS_API_KEY=iims_… python list_enterprises.py [province]

Prints one line per enterprise (`<uscc> <name>`) and exits 0; any error answer → exit 1
with the problem's title and detail.
"""

from __future__ import annotations

import os
import sys

from iims_platform_client import AuthenticatedClient
from iims_platform_client.api.enterprises import get_enterprise, list_enterprises
from iims_platform_client.models import EnterpriseOut, PageEnterpriseOut, Problem
from iims_platform_client.types import UNSET


def main() -> int:
    client = AuthenticatedClient(
        base_url=os.environ["IIMS_URL"],
        token=os.environ["IIMS_API_KEY"],
        prefix="",
        auth_header_name="X-API-Key",
        raise_on_unexpected_status=True,
    )
    province = sys.argv[1] if len(sys.argv) > 1 else UNSET
    cursor: str | None = None
    seen = 0
    with client as c:
        while True:
            page = list_enterprises.sync(
                client=c, province_code=province, limit=2, cursor=cursor or UNSET
            )
            if not isinstance(page, PageEnterpriseOut):
                return _failed(page)
            for item in page.items:
                one = get_enterprise.sync(enterprise_id=item.id, client=c)
                if not isinstance(one, EnterpriseOut):
                    return _failed(one)
                print(one.uscc, one.name)
                seen += 1
            cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
            if not cursor:
                break
    print(f"{seen} enterprises", file=sys.stderr)
    return 0


def _failed(answer: Problem | None) -> int:
    if isinstance(answer, Problem):
        print(f"{answer.status} {answer.title}: {answer.detail}", file=sys.stderr)
    else:
        print("no answer", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
