from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import ConfigDict

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import Score, Slug


class IntentStage(StrEnum):
    EXPLORE = "explore"
    COMPARE = "compare"
    DECIDE = "decide"


class IntentDetectedV1(Event):
    description: ClassVar[str] = (
        "The assistant recognised what the user wants (category, confidence, decision stage)."
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "intent_detected",
                    1,
                    category="hotels",
                    confidence=0.92,
                    stage="compare",
                    commercial=True,
                ),
                example(
                    "intent_detected",
                    1,
                    1,
                    category="travel-tips",
                    confidence=0.61,
                    stage="explore",
                    commercial=False,
                ),
            ]
        }
    )

    event_type: Literal["intent_detected"]
    schema_version: Literal[1]
    category: Slug
    confidence: Score
    stage: IntentStage
    commercial: bool = True
    """False for informational intents; relevance@intent only looks at commercial ones."""
