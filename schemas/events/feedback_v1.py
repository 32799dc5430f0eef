from enum import StrEnum
from typing import Annotated, ClassVar, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import Identifier


class FeedbackTarget(StrEnum):
    EXPOSURE = "exposure"
    TURN = "turn"


class Thumb(StrEnum):
    UP = "up"
    DOWN = "down"


class FeedbackReason(StrEnum):
    HELPFUL = "helpful"
    ACCURATE = "accurate"
    IRRELEVANT = "irrelevant"
    MISLEADING = "misleading"
    TOO_PUSHY = "too_pushy"
    WRONG_TIMING = "wrong_timing"
    OTHER = "other"


class FeedbackV1(Event):
    description: ClassVar[str] = (
        "The user rated an exposure or a turn: thumbs up/down or 1-5 stars, with a reason code."
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "feedback",
                    1,
                    target="exposure",
                    exposure_id="exp-1",
                    thumb="up",
                    reason="helpful",
                ),
                example("feedback", 1, 1, target="turn", stars=2, reason="too_pushy"),
            ]
        }
    )

    event_type: Literal["feedback"]
    schema_version: Literal[1]
    target: FeedbackTarget
    exposure_id: Identifier | None = None
    thumb: Thumb | None = None
    stars: Annotated[int, Field(ge=1, le=5)] | None = None
    reason: FeedbackReason | None = None

    @model_validator(mode="after")
    def _one_rating_for_a_known_target(self) -> Self:
        if (self.thumb is None) == (self.stars is None):
            raise ValueError("give exactly one of thumb (up/down) or stars (1-5)")
        if self.target is FeedbackTarget.EXPOSURE and self.exposure_id is None:
            raise ValueError("feedback on an exposure needs exposure_id")
        if self.target is FeedbackTarget.TURN and self.turn_index is None:
            raise ValueError("feedback on a turn needs turn_index")
        return self
