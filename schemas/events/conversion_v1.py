from typing import ClassVar, Literal

from pydantic import ConfigDict

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import CurrencyCode, Identifier, Money, Slug


class ConversionV1(Event):
    description: ClassVar[str] = (
        "The user bought or signed up: value, currency, offer, and the exposure if known."
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "conversion",
                    1,
                    conversion_id="order-5521",
                    value="412.80",
                    currency="EUR",
                    offer_id="hotel-123",
                    offer_category="hotels",
                    exposure_id="exp-1",
                ),
                example(
                    "conversion",
                    1,
                    1,
                    conversion_id="order-5522",
                    value="89.00",
                    currency="GBP",
                    offer_id="hotel-456",
                ),
            ]
        }
    )

    event_type: Literal["conversion"]
    schema_version: Literal[1]
    conversion_id: Identifier
    value: Money
    currency: CurrencyCode
    offer_id: Identifier
    offer_category: Slug | None = None
    exposure_id: Identifier | None = None
    """Set when the merchant knows which exposure led here; otherwise attribution decides."""
