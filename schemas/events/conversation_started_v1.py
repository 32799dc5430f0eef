from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, StringConstraints

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example


class EntryPoint(StrEnum):
    DIRECT = "direct"
    DEEP_LINK = "deep_link"
    NOTIFICATION = "notification"
    SEARCH = "search"
    OTHER = "other"


class ConversationStartedV1(Event):
    description: ClassVar[str] = "A user opened a conversation on a surface."
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "conversation_started",
                    1,
                    turn_index=0,
                    entry_point="direct",
                    locale="en-GB",
                    country="GB",
                ),
                example("conversation_started", 1, 1, entry_point="deep_link"),
            ]
        }
    )

    event_type: Literal["conversation_started"]
    schema_version: Literal[1]
    entry_point: EntryPoint = EntryPoint.DIRECT
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
