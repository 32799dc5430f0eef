"""The parts of the quality contracts that the counters depend on and the stored tables do not
record, as an SQL relation: one row per (tenant, surface, surface_id) seen in `events`.

- `intent_map`: for a `mapping` intent-match rule, intent category -> offer categories that
  answer it (a category missing from it falls back to equality, as the rule does); empty for
  `equality`;
- `returning_us`: the durable-trust returning window, in microseconds.

Everything else a contract decides (attribution, qualification, return window, feedback) is
already in `conversion_facts`, judged by the contract that applied.
"""

from datetime import timedelta

from clickhouse_connect.driver.binding import format_query_value
from clickhouse_connect.driver.client import Client

from convtrack.contracts import ContractBook, IntentMatch, QualityContract
from convtrack.schemas.types import Surface

_SCOPES = "SELECT DISTINCT tenant_id, surface, surface_id FROM events ORDER BY ALL"
_SELECT = (
    "SELECT r.1 AS tenant_id, r.2 AS surface, r.3 AS surface_id, "
    "CAST(r.4, 'Map(String, Array(String))') AS intent_map, r.5 AS returning_us "
    "FROM (SELECT arrayJoin([{rows}]) AS r)"
)
"""Over tuples whose values `format_query_value` quoted."""
_EMPTY = (
    "SELECT '' AS tenant_id, '' AS surface, '' AS surface_id, "
    "CAST(map(), 'Map(String, Array(String))') AS intent_map, toInt64(0) AS returning_us "
    "WHERE 0"
)


def rules_sql(client: Client, contracts: ContractBook) -> str:
    """A SELECT of the rules of every scope in `events`, the contracts resolved in Python."""
    scopes = client.query(_SCOPES).result_rows
    if not scopes:
        return _EMPTY
    rows = ", ".join(
        _row(key, contracts.resolve(key[0], Surface(key[1]), key[2]))
        for key in (tuple(map(str, scope)) for scope in scopes)
    )
    return _SELECT.format(rows=rows)


def _row(key: tuple[str, ...], contract: QualityContract) -> str:
    rule = contract.intent_match
    mapping = rule.categories if rule.rule is IntentMatch.MAPPING else {}
    pairs = ", ".join(
        f"{format_query_value(intent)}, {format_query_value(list(offers))}"
        for intent, offers in sorted(mapping.items())
    )
    window_us = contract.returning_window // timedelta(microseconds=1)
    scope = ", ".join(format_query_value(part) for part in key)
    return f"tuple({scope}, map({pairs}), toInt64({window_us}))"
