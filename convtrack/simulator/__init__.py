"""Synthetic, reproducible multi-tenant conversational traffic with scenarios and faults
injected on purpose: the input for demos, load tests and end-to-end checks of the pipeline.

    simulation = simulate(SimulationConfig(seed=7, duration=timedelta(hours=6)))
    write_all(simulation, open_jsonl("events.jsonl.gz"))
    simulation.summary.to_dict()
"""

from convtrack.simulator.catalog import CATALOG, SURFACE_IDS, TRAP_SURFACE_ID
from convtrack.simulator.config import (
    CONVERSATIONS_PER_DAY,
    DEFAULT_START,
    Scenarios,
    SimulationConfig,
)
from convtrack.simulator.engine import Simulation, simulate
from convtrack.simulator.faults import MalformedKind
from convtrack.simulator.summary import Summary
from convtrack.simulator.writers import STDOUT, JsonlWriter, PayloadWriter, open_jsonl, write_all

__all__ = [
    "CATALOG",
    "CONVERSATIONS_PER_DAY",
    "DEFAULT_START",
    "STDOUT",
    "SURFACE_IDS",
    "TRAP_SURFACE_ID",
    "JsonlWriter",
    "MalformedKind",
    "PayloadWriter",
    "Scenarios",
    "Simulation",
    "SimulationConfig",
    "Summary",
    "open_jsonl",
    "simulate",
    "write_all",
]
