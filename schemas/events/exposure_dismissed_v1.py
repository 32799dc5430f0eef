from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import ConfigDict

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import Identifier, Slug


class DismissAction(StrEnum):
    HIDE = "hide"
    REPORT = "report"


class ExposureDismissedV1(Event):
    description: ClassVar[str] = "The user hid or reported an exposure."
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example("exposure_dismissed", 1, exposure_id="exp-2", action="hide"),
                example(
                    "exposure_dismissed",
                    1,
                    1,
                    exposure_id="exp-2",
                    action="report",
                    reason="misleading",
                ),
            ]
        }
    )

    event_type: Literal["exposure_dismissed"]
    schema_version: Literal[1]
    exposure_id: Identifier
    action: DismissAction
    reason: Slug | None = None
