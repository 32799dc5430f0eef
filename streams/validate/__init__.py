"""The validate stage: parse, schema-check, pseudonymize and deduplicate raw events.

`Validator.validate(raw, source, received_at)` returns a `ValidEvent`, a `Duplicate` or a
`DeadLetter` for every input and never raises on one.
"""

from convtrack.streams.validate.config import ValidateConfig
from convtrack.streams.validate.core import Validator
from convtrack.streams.validate.dedup import Deduplicator
from convtrack.streams.validate.outcomes import Duplicate, Outcome, ValidateStats, ValidEvent
from convtrack.streams.validate.pseudonym import Pseudonymizer, is_pseudonym

__all__ = [
    "Deduplicator",
    "Duplicate",
    "Outcome",
    "Pseudonymizer",
    "ValidEvent",
    "ValidateConfig",
    "ValidateStats",
    "Validator",
    "is_pseudonym",
]
