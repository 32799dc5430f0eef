"""Quality contracts: typed, versioned definitions of a qualified conversion per tenant,
surface and surface_id, loaded from TOML and resolved most-specific-first."""

from convtrack.contracts.book import ContractBook, ContractError, Override, Problem, Scope
from convtrack.contracts.loading import (
    ContractFileError,
    load_contracts,
    load_default_contracts,
    parse_contracts,
)
from convtrack.contracts.model import (
    DEFAULT_CONTRACT,
    AttributionModel,
    AttributionRule,
    DeadLetterSpikeRule,
    FeedbackRule,
    IntentMatch,
    IntentMatchRule,
    QualityContract,
    RelevanceDropRule,
    VolumeTrapRule,
)

__all__ = [
    "DEFAULT_CONTRACT",
    "AttributionModel",
    "AttributionRule",
    "ContractBook",
    "ContractError",
    "ContractFileError",
    "DeadLetterSpikeRule",
    "FeedbackRule",
    "IntentMatch",
    "IntentMatchRule",
    "Override",
    "Problem",
    "QualityContract",
    "RelevanceDropRule",
    "Scope",
    "VolumeTrapRule",
    "load_contracts",
    "load_default_contracts",
    "parse_contracts",
]
