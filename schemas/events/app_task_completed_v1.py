from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import Identifier, Slug, Surface


class AppTaskCompletedV1(Event):
    description: ClassVar[str] = "An embedded app finished (or failed) the task it was opened for."
    surfaces: ClassVar[frozenset[Surface]] = frozenset({Surface.APP})
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "app_task_completed",
                    1,
                    surface="app",
                    surface_id="booking-app",
                    app_id="booking-app",
                    task="book-room",
                    success=True,
                    duration_ms=48_000,
                ),
                example(
                    "app_task_completed",
                    1,
                    1,
                    surface="app",
                    surface_id="booking-app",
                    app_id="booking-app",
                    task="book-room",
                    success=False,
                ),
            ]
        }
    )

    event_type: Literal["app_task_completed"]
    schema_version: Literal[1]
    app_id: Identifier
    task: Slug
    success: bool
    duration_ms: Annotated[int, Field(ge=0, le=86_400_000)] | None = None
