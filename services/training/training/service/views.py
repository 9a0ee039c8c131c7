"""What the training use cases answer where the answer is more than one row (the API's
response bodies, re-exported by `training.api.schemas`)."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import Field

from iims_common.schemas import Output
from training.domain.enums import EnrollmentStatus


class EnrollmentOut(Output):
    id: uuid.UUID
    session_id: uuid.UUID
    person_id: uuid.UUID
    organization_id: uuid.UUID
    province_code: str | None
    status: EnrollmentStatus
    exam_attempts: int
    exam_score: int | None
    created_at: dt.datetime
    version: int
    waitlist_position: int | None = Field(
        None,
        description="候补顺位: 1 for the next to get a freed seat (waitlist order is enrollment "
        "order); null unless the enrollment is waitlisted. Computed on every read.",
    )

    @property
    def status_label(self) -> str:
        return self.status.label_in()
