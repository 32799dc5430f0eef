from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import ConfigDict

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import Identifier, Surface


class InvokedBy(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class AppInvokedV1(Event):
    description: ClassVar[str] = "An embedded app was opened inside the conversation."
    surfaces: ClassVar[frozenset[Surface]] = frozenset({Surface.APP})
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "app_invoked",
                    1,
                    surface="app",
                    surface_id="booking-app",
                    app_id="booking-app",
                    invoked_by="assistant",
                    exposure_id="exp-3",
                ),
                example(
                    "app_invoked",
                    1,
                    1,
                    surface="app",
                    surface_id="booking-app",
                    app_id="booking-app",
                    invoked_by="user",
                ),
            ]
        }
    )

    event_type: Literal["app_invoked"]
    schema_version: Literal[1]
    app_id: Identifier
    invoked_by: InvokedBy
    exposure_id: Identifier | None = None
    """The app suggestion that led here, when there was one."""
