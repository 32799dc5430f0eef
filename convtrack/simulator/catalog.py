"""The simulated world: tenants, what they sell, and the surfaces they reach customers on.

Numbers are chosen so the clean surfaces look like a healthy business (most offers relevant,
a few percent refunds) and the scenarios in `scenarios.py` stand out against them.
"""

from dataclasses import dataclass

from convtrack.schemas.events.conversion_adjusted_v1 import AdjustmentKind
from convtrack.schemas.events.exposure_v1 import ExposureKind
from convtrack.schemas.types import Surface


@dataclass(frozen=True, slots=True)
class Category:
    """An offer category; intents are detected in the same vocabulary, which is what makes an
    exposure intent-matched or not."""

    name: str
    offer_prefix: str
    price_range: tuple[int, int]
    """Conversion value bounds in the tenant's currency (whole units)."""


@dataclass(frozen=True, slots=True)
class Tenant:
    tenant_id: str
    currency: str
    markets: tuple[tuple[str, str], ...]
    """(country, locale) pairs a user can come from."""
    categories: tuple[Category, ...]
    informational: tuple[str, ...]
    """Intent categories with nothing to sell (commercial=false)."""
    adjustments: tuple[tuple[AdjustmentKind, float], ...]
    """How this business reverses a sale, with relative weights."""

    def category(self, name: str) -> Category:
        return next(c for c in self.categories if c.name == name)


@dataclass(frozen=True, slots=True)
class SurfaceSpec:
    tenant: Tenant
    surface: Surface
    surface_id: str
    weight: float
    """Share of conversations (relative to the other surfaces)."""
    relevance: float
    """Mean relevance of the offers this surface shows."""
    intent_match: float
    """Chance a perfectly relevant offer is in the intent's category; falls with relevance."""
    exposures: tuple[int, int]
    """Fewest and most exposures per conversation."""
    placements: tuple[str, ...]
    intents: tuple[tuple[str, float], ...]
    """Commercial intent categories users bring to this surface, with weights."""
    app_task: str | None = None
    """The task an embedded app performs (surface app only)."""
    campaign_id: str | None = None
    """The ad campaign behind the placement (surface ad only)."""

    @property
    def kind(self) -> ExposureKind:
        return _KIND_BY_SURFACE[self.surface]


_KIND_BY_SURFACE = {
    Surface.VERTICAL: ExposureKind.RECOMMENDATION,
    Surface.APP: ExposureKind.APP_SUGGESTION,
    Surface.AD: ExposureKind.AD,
}

_ACME = Tenant(
    tenant_id="acme-travel",
    currency="EUR",
    markets=(("DE", "de-DE"), ("FR", "fr-FR"), ("ES", "es-ES"), ("NL", "nl-NL"), ("IE", "en-IE")),
    categories=(
        Category("hotels", "htl", (60, 480)),
        Category("flights", "flt", (40, 650)),
        Category("car-rental", "car", (25, 320)),
        Category("activities", "act", (10, 160)),
    ),
    informational=("travel-tips", "visa-info"),
    adjustments=(
        (AdjustmentKind.CANCEL, 0.5),
        (AdjustmentKind.REFUND, 0.42),
        (AdjustmentKind.CHARGEBACK, 0.08),
    ),
)
_SHOPWISE = Tenant(
    tenant_id="shopwise",
    currency="SEK",
    markets=(("SE", "sv-SE"), ("FI", "fi-FI"), ("DK", "da-DK")),
    categories=(
        Category("electronics", "elc", (490, 14_990)),
        Category("fashion", "fsh", (199, 2_490)),
        Category("home", "hom", (149, 5_990)),
    ),
    informational=("product-care", "size-guide"),
    adjustments=(
        (AdjustmentKind.RETURN, 0.55),
        (AdjustmentKind.REFUND, 0.35),
        (AdjustmentKind.CANCEL, 0.05),
        (AdjustmentKind.CHARGEBACK, 0.05),
    ),
)
_BRIGHTBANK = Tenant(
    tenant_id="brightbank",
    currency="GBP",
    markets=(("GB", "en-GB"), ("IE", "en-IE")),
    categories=(
        Category("credit-cards", "crd", (0, 195)),
        Category("savings", "sav", (20, 250)),
        Category("loans", "lon", (90, 900)),
    ),
    informational=("budgeting", "rates-explained"),
    adjustments=(
        (AdjustmentKind.CANCEL, 0.6),
        (AdjustmentKind.REFUND, 0.25),
        (AdjustmentKind.CHARGEBACK, 0.15),
    ),
)

TRAP_SURFACE_ID = "mega-deals-blast"
"""The ad campaign the volume-trap scenario scales up."""

CATALOG: tuple[SurfaceSpec, ...] = (
    SurfaceSpec(
        _ACME, Surface.VERTICAL, "hotels-vertical", 10, 0.78, 0.92, (1, 4),
        ("inline", "carousel"), (("hotels", 0.8), ("activities", 0.1), ("car-rental", 0.1)),
    ),
    SurfaceSpec(
        _ACME, Surface.VERTICAL, "flights-vertical", 7, 0.72, 0.9, (1, 3),
        ("inline", "comparison-table"), (("flights", 0.85), ("car-rental", 0.15)),
    ),
    SurfaceSpec(
        _ACME, Surface.APP, "booking-app", 5, 0.76, 0.9, (1, 2),
        ("app-card",), (("hotels", 0.7), ("flights", 0.3)), app_task="book-trip",
    ),
    SurfaceSpec(
        _ACME, Surface.AD, "city-breaks-promo", 3, 0.62, 0.8, (1, 2),
        ("sponsored-card",), (("hotels", 0.6), ("activities", 0.4)),
        campaign_id="cmp-city-breaks-q4",
    ),
    SurfaceSpec(
        _ACME, Surface.AD, TRAP_SURFACE_ID, 3, 0.58, 0.75, (1, 2),
        ("sponsored-card", "banner-inline"),
        (("flights", 0.4), ("hotels", 0.3), ("car-rental", 0.3)),
        campaign_id="cmp-mega-deals-q4",
    ),
    SurfaceSpec(
        _SHOPWISE, Surface.VERTICAL, "electronics-vertical", 8, 0.74, 0.9, (1, 4),
        ("inline", "comparison-table"), (("electronics", 0.8), ("home", 0.2)),
    ),
    SurfaceSpec(
        _SHOPWISE, Surface.APP, "size-advisor-app", 4, 0.7, 0.88, (1, 2),
        ("app-card",), (("fashion", 1.0),), app_task="find-size",
    ),
    SurfaceSpec(
        _SHOPWISE, Surface.AD, "winter-coats-promo", 3, 0.6, 0.8, (1, 2),
        ("sponsored-card",), (("fashion", 0.8), ("home", 0.2)),
        campaign_id="cmp-winter-coats",
    ),
    SurfaceSpec(
        _BRIGHTBANK, Surface.VERTICAL, "cards-vertical", 5, 0.7, 0.88, (1, 3),
        ("inline",), (("credit-cards", 0.7), ("savings", 0.3)),
    ),
    SurfaceSpec(
        _BRIGHTBANK, Surface.APP, "loan-calculator-app", 3, 0.68, 0.88, (1, 2),
        ("app-card",), (("loans", 1.0),), app_task="quote-loan",
    ),
    SurfaceSpec(
        _BRIGHTBANK, Surface.AD, "savings-boost-promo", 2, 0.55, 0.78, (1, 2),
        ("sponsored-card",), (("savings", 0.9), ("credit-cards", 0.1)),
        campaign_id="cmp-savings-boost",
    ),
)  # fmt: skip

TENANTS: tuple[Tenant, ...] = (_ACME, _SHOPWISE, _BRIGHTBANK)

SURFACE_IDS: tuple[str, ...] = tuple(spec.surface_id for spec in CATALOG)


def surface_index(surface_id: str) -> int:
    """Position of a surface in CATALOG; ValueError names the known ones."""
    if surface_id not in SURFACE_IDS:
        raise ValueError(f"unknown surface {surface_id!r}; known: {', '.join(SURFACE_IDS)}")
    return SURFACE_IDS.index(surface_id)
