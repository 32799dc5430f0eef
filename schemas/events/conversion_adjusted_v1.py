from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import ConfigDict

from convtrack.schemas.envelope import Event
from convtrack.schemas.examples import example
from convtrack.schemas.types import CurrencyCode, Identifier, Money, Slug


class AdjustmentKind(StrEnum):
    REFUND = "refund"
    RETURN = "return"
    CANCEL = "cancel"
    CHARGEBACK = "chargeback"


class ConversionAdjustedV1(Event):
    description: ClassVar[str] = (
        "A conversion was partly or wholly reversed (refund, return, cancel, chargeback)."
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                example(
                    "conversion_adjusted",
                    1,
                    conversion_id="order-5521",
                    kind="refund",
                    amount="412.80",
                    currency="EUR",
                    reason="not-as-described",
                ),
                example(
                    "conversion_adjusted",
                    1,
                    1,
                    conversion_id="order-5522",
                    kind="chargeback",
                    amount="89.00",
                    currency="GBP",
                ),
            ]
        }
    )

    event_type: Literal["conversion_adjusted"]
    schema_version: Literal[1]
    conversion_id: Identifier
    kind: AdjustmentKind
    amount: Money
    currency: CurrencyCode
    reason: Slug | None = None
