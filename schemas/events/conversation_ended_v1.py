from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example


class EndReason(StrEnum):
    USER_LEFT = "user_left"
    TASK_DONE = "task_done"
    TIMEOUT = "timeout"
    HANDOFF = "handoff"


class ConversationEndedV1(Event):
    description: ClassVar[str] = "The conversation closed, with why and how many turns it took."
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example("conversation_ended", 1, turn_index=9, reason="task_done", turns=10),
                example("conversation_ended", 1, 1, reason="timeout", turns=2),
            ]
        }
    )

    event_type: Literal["conversation_ended"]
    schema_version: Literal[1]
    reason: EndReason
    turns: Annotated[int, Field(ge=0, le=100_000)]
