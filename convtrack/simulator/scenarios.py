"""How the scenario knobs bend the catalog over time: which surface gets traffic, and how
relevant and how durable its conversions are at a given instant."""

from dataclasses import dataclass, replace
from random import Random

from convtrack.simulator.catalog import CATALOG, TRAP_SURFACE_ID, SurfaceSpec, surface_index
from convtrack.simulator.config import SimulationConfig
from convtrack.simulator.draws import Weighted

_TRAP_VOLUME = 6.0
_TRAP_RELEVANCE = 0.2
_TRAP_EXPOSURES = (3, 6)
_TRAP_ADJUSTMENT_BOOST = 0.3
_TRAP_CLICKBAIT = 0.1
_DROP_FACTOR = 0.5
_WAVE_ADJUSTMENT_FLOOR = 0.5


@dataclass(frozen=True, slots=True)
class Conditions:
    """A surface as it behaves at one moment."""

    spec: SurfaceSpec
    relevance: float
    exposures: tuple[int, int]
    adjustment_boost: float = 0.0
    """Added to the chance a conversion is reversed (broad, pushy campaigns)."""
    adjustment_floor: float = 0.0
    """The chance a conversion is reversed is at least this (a refund wave)."""
    clickbait: float = 0.0
    """Added to the chance to engage with an offer, and half of it to the chance to buy:
    "mega deals" pull clicks and impulse purchases whatever their relevance."""
    trap: bool = False
    """The surface is the scaled-up volume-trap campaign: its ads feel pushier."""


class ScenarioTimeline:
    """Answers "what is surface s like at time t" for the configured scenarios.

    Each scenario switches at fixed instants, so a lookup is a few integer comparisons; the
    scenarios stack when they are pointed at the same surface.
    """

    def __init__(self, config: SimulationConfig) -> None:
        knobs = config.scenarios
        self._base = [Conditions(spec, spec.relevance, spec.exposures) for spec in CATALOG]
        self._trap_index = surface_index(TRAP_SURFACE_ID) if knobs.volume_trap else None
        self._trap_ms = config.at(knobs.trap_at)
        self._drop_index = surface_index(knobs.drop_surface) if knobs.relevance_drop else None
        self._drop_ms = config.at(knobs.drop_at)
        self._wave_index = surface_index(knobs.refund_wave_surface) if knobs.refund_wave else None
        self._wave = (
            config.at(knobs.refund_wave_at),
            config.at(min(1.0, knobs.refund_wave_at + knobs.refund_wave_length)),
        )
        weights = [(i, spec.weight) for i, spec in enumerate(CATALOG)]
        self._before_trap = Weighted(weights)
        self._after_trap = Weighted(
            [(i, w * _TRAP_VOLUME if i == self._trap_index else w) for i, w in weights]
        )
        self._trapped = (
            replace(
                self._base[self._trap_index],
                relevance=_TRAP_RELEVANCE,
                exposures=_TRAP_EXPOSURES,
                adjustment_boost=_TRAP_ADJUSTMENT_BOOST,
                clickbait=_TRAP_CLICKBAIT,
                trap=True,
            )
            if self._trap_index is not None
            else None
        )

    def pick_surface(self, rng: Random, at_ms: int) -> int:
        """A surface for a new conversation, weighted by how much traffic each gets then."""
        trapping = self._trap_index is not None and at_ms >= self._trap_ms
        return (self._after_trap if trapping else self._before_trap).draw(rng)

    def conditions(self, index: int, at_ms: int) -> Conditions:
        state = self._base[index]
        if index == self._trap_index and at_ms >= self._trap_ms and self._trapped is not None:
            state = self._trapped
        if index == self._drop_index and at_ms >= self._drop_ms:
            state = replace(state, relevance=state.relevance * _DROP_FACTOR)
        if index == self._wave_index and self._wave[0] <= at_ms < self._wave[1]:
            state = replace(state, adjustment_floor=_WAVE_ADJUSTMENT_FLOOR)
        return state
