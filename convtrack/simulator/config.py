"""What to simulate: the period, the volume, the seed and the scenario knobs.

Everything has a default that makes a demo-sized, reproducible run: the period starts on a fixed
date (not today) so the same arguments always give the same bytes.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from convtrack.simulator.catalog import surface_index

DEFAULT_START = datetime(2026, 11, 2, tzinfo=UTC)
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(2090, 1, 1, tzinfo=UTC)
"""Leaves the far-future malformed events (year 2099) in the future."""
MAX_DURATION = timedelta(days=400)
MAX_CONVERSATIONS = 50_000_000
CONVERSATIONS_PER_DAY = 3_600
"""The default volume: about 25k conversations (175k events) a week, a demo-sized run."""
_MAX_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Scenarios:
    """The stories hidden in the traffic. Each is on by default and can be switched off alone.

    Times are fractions of the period (0 = start, 1 = end) so a knob means the same thing for
    a six-hour test and a month-long demo.
    """

    volume_trap: bool = True
    """From `trap_at` the mega-deals-blast ad campaign is scaled up: six times the
    conversations, 3-6 clickbait ads each at low relevance. Exposures, clicks and conversions
    go up; intent match falls and refunds, negative feedback and dismissals rise."""
    trap_at: float = 0.3

    relevance_drop: bool = True
    """From `drop_at` the offers on `drop_surface` lose roughly half their relevance."""
    drop_surface: str = "hotels-vertical"
    drop_at: float = 0.6

    refund_wave: bool = True
    """Conversions on `refund_wave_surface` between `refund_wave_at` and `refund_wave_at +
    refund_wave_length` are reversed at least half the time."""
    refund_wave_surface: str = "electronics-vertical"
    refund_wave_at: float = 0.35
    refund_wave_length: float = 0.15

    late_share: float = 0.02
    """Share of events sent 1 minute to 6 hours after they occurred (out of order)."""
    too_late_share: float = 0.001
    """Per conversation, the chance that an offline client flushes a whole 7-9 day old
    conversation: its events arrive beyond the 7-day lateness bound (too_late)."""
    duplicate_share: float = 0.005
    """Share of events sent again (same bytes) 1 second to 15 minutes later."""
    malformed_share: float = 0.01
    """Share of extra payloads that are broken in one of the `MalformedKind` ways."""

    def __post_init__(self) -> None:
        fractions = {
            "trap_at": self.trap_at,
            "drop_at": self.drop_at,
            "refund_wave_at": self.refund_wave_at,
            "refund_wave_length": self.refund_wave_length,
        }
        for name, value in fractions.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a fraction of the period in 0..1, got {value}")
        shares = {
            "late_share": self.late_share,
            "too_late_share": self.too_late_share,
            "duplicate_share": self.duplicate_share,
            "malformed_share": self.malformed_share,
        }
        for name, value in shares.items():
            if not 0.0 <= value <= _MAX_SHARE:
                raise ValueError(f"{name} must be in 0..{_MAX_SHARE}, got {value}")
        surface_index(self.drop_surface)
        surface_index(self.refund_wave_surface)

    @classmethod
    def clean(cls) -> "Scenarios":
        """No scenario at all: steady, valid, in-order traffic."""
        return cls(
            volume_trap=False,
            relevance_drop=False,
            refund_wave=False,
            late_share=0.0,
            too_late_share=0.0,
            duplicate_share=0.0,
            malformed_share=0.0,
        )


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    seed: int = 42
    start: datetime = DEFAULT_START
    duration: timedelta = timedelta(days=7)
    conversations: int = 7 * CONVERSATIONS_PER_DAY
    """New and returning conversations over the whole period (stale flushes come on top)."""
    scenarios: Scenarios = field(default_factory=Scenarios)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("start must carry a UTC offset, e.g. 2026-11-02T00:00:00Z")
        if not EARLIEST_START <= self.start < LATEST_START:
            raise ValueError(f"start must be in {EARLIEST_START.year}..{LATEST_START.year - 1}")
        if not timedelta(minutes=1) <= self.duration <= MAX_DURATION:
            raise ValueError(f"the period must be between 1 minute and {MAX_DURATION.days} days")
        if not 1 <= self.conversations <= MAX_CONVERSATIONS:
            raise ValueError(f"conversations must be in 1..{MAX_CONVERSATIONS:,}")

    @staticmethod
    def conversations_for(duration: timedelta) -> int:
        """The default volume for a period of this length."""
        return max(1, round(CONVERSATIONS_PER_DAY * duration / timedelta(days=1)))

    @property
    def start_ms(self) -> int:
        return round(self.start.timestamp() * 1000)

    @property
    def end_ms(self) -> int:
        return self.start_ms + round(self.duration.total_seconds() * 1000)

    def at(self, fraction: float) -> int:
        """The instant (epoch milliseconds) `fraction` of the way through the period."""
        return self.start_ms + round((self.end_ms - self.start_ms) * fraction)
