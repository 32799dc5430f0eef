"""Field types shared by every event schema.

Identifiers and categories are bounded and restricted to a token alphabet: no field anywhere can
carry free chat text, which is how convtrack keeps conversations out of its store by construction.
"""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from convtrack.schemas.currencies import ISO_4217_CODES


class Surface(StrEnum):
    """Where in the conversation the brand met the customer."""

    VERTICAL = "vertical"
    APP = "app"
    AD = "ad"


Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$"),
]
"""An opaque id from a producer (conversation, exposure, offer, order ...)."""

Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$"),
]
"""A lower-case machine name (tenant, category, placement ...)."""


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timestamp that must carry an offset; stored normalized to UTC."""


def _known_currency(code: str) -> str:
    if code not in ISO_4217_CODES:
        raise ValueError(f"{code!r} is not an active ISO 4217 currency code")
    return code


CurrencyCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)
]

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]
"""A non-negative amount. Send it as a JSON string ("12.90") to keep it exact."""

Score = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
"""A probability-like value in [0, 1]."""

TurnIndex = Annotated[int, Field(ge=0, le=100_000)]
