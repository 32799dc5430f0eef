from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import ConfigDict

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import Identifier


class EngagementAction(StrEnum):
    CLICK = "click"
    EXPAND = "expand"
    FOLLOW_UP = "follow_up"
    """The user asked a follow-up question about the offer: engagement beyond a click."""
    COMPARE = "compare"
    SAVE = "save"
    SHARE = "share"
    APP_OPEN = "app_open"
    ADD_TO_CART = "add_to_cart"


class EngagementV1(Event):
    description: ClassVar[str] = "The user acted on an exposure (click, follow-up, app open ...)."
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example("engagement", 1, exposure_id="exp-1", action="follow_up"),
                example("engagement", 1, 1, exposure_id="exp-1", action="click", turn_index=4),
            ]
        }
    )

    event_type: Literal["engagement"]
    schema_version: Literal[1]
    exposure_id: Identifier
    action: EngagementAction
