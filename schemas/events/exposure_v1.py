from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import Identifier, Score, Slug


class ExposureKind(StrEnum):
    RECOMMENDATION = "recommendation"
    APP_SUGGESTION = "app_suggestion"
    AD = "ad"


class ExposureV1(Event):
    description: ClassVar[str] = (
        "An offer was shown in the conversation: a recommendation, an app suggestion or an ad."
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "exposure",
                    1,
                    exposure_id="exp-1",
                    kind="recommendation",
                    offer_id="hotel-123",
                    offer_category="hotels",
                    placement="inline",
                    position=1,
                    relevance=0.87,
                    sponsored=False,
                ),
                example(
                    "exposure",
                    1,
                    1,
                    surface="ad",
                    surface_id="spring-sale",
                    exposure_id="exp-2",
                    kind="ad",
                    offer_id="hotel-999",
                    offer_category="hotels",
                    placement="sponsored-card",
                    position=0,
                    relevance=0.41,
                    sponsored=True,
                    campaign_id="spring-sale-2026",
                ),
            ]
        }
    )

    event_type: Literal["exposure"]
    schema_version: Literal[1]
    exposure_id: Identifier
    kind: ExposureKind
    offer_id: Identifier
    offer_category: Slug
    placement: Slug
    position: Annotated[int, Field(ge=0, le=1000)]
    relevance: Score
    """The producer's relevance of the offer to the conversation at this moment, 0..1."""
    sponsored: bool
    campaign_id: Identifier | None = None
