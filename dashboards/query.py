"""The queries Grafana sends to the official ClickHouse plugin (grafana-clickhouse-datasource).

grafana-foundation-sdk has no ClickHouse query type, so this is one as a custom Dataquery: raw
SQL in the plugin's SQL editor mode. `format` is the sqlds frame format the plugin's backend
reads (0 time series, 1 table); without it the backend guesses from the columns.
"""

from enum import IntEnum

from grafana_foundation_sdk.cog import builder, variants
from grafana_foundation_sdk.models import dashboard

PLUGIN_ID = "grafana-clickhouse-datasource"
DATASOURCE_UID = "convtrack-clickhouse"
"""Fixed so that dashboards, alert rules and the provisioned datasource meet without lookups."""
PROMETHEUS_UID = "convtrack-prometheus"

CLICKHOUSE = dashboard.DataSourceRef(type_val=PLUGIN_ID, uid=DATASOURCE_UID)
PROMETHEUS = dashboard.DataSourceRef(type_val="prometheus", uid=PROMETHEUS_UID)


class Format(IntEnum):
    TIME_SERIES = 0
    TABLE = 1


class ClickHouseQuery(variants.Dataquery):
    def __init__(self, raw_sql: str, format_val: Format, ref_id: str = "A") -> None:
        self.raw_sql = raw_sql
        self.format_val = format_val
        self.ref_id = ref_id

    def to_json(self) -> dict[str, object]:
        return {
            "refId": self.ref_id,
            "datasource": CLICKHOUSE,
            "editorType": "sql",
            # queryType only picks the visualization in Explore; the panel decides elsewhere.
            "queryType": "timeseries" if self.format_val is Format.TIME_SERIES else "table",
            "format": int(self.format_val),
            "rawSql": self.raw_sql,
            "pluginVersion": "",
        }


class ClickHouseQueryBuilder(builder.Builder[variants.Dataquery]):
    def __init__(self, raw_sql: str, format_val: Format, ref_id: str = "A") -> None:
        self._internal = ClickHouseQuery(raw_sql, format_val, ref_id)

    def build(self) -> variants.Dataquery:
        return self._internal


class ClickHouseAnnotationTarget(dashboard.AnnotationTarget):
    """The SDK types an annotation's target as the built-in Grafana one; the plugin expects
    its own SQL query there and maps the columns time, timeEnd, text and tags."""

    def __init__(self, raw_sql: str) -> None:
        super().__init__()
        self.raw_sql = raw_sql

    def to_json(self) -> dict[str, object]:
        return {
            "refId": "annotation",
            "editorType": "sql",
            "format": int(Format.TABLE),
            "rawSql": self.raw_sql,
            "pluginVersion": "",
        }


class ClickHouseAnnotationTargetBuilder(builder.Builder[dashboard.AnnotationTarget]):
    def __init__(self, raw_sql: str) -> None:
        self._internal = ClickHouseAnnotationTarget(raw_sql)

    def build(self) -> dashboard.AnnotationTarget:
        return self._internal


def variable_query(raw_sql: str) -> dict[str, object]:
    """A query variable's definition, in the shape the plugin's metricFindQuery reads."""
    return {"rawSql": raw_sql, "editorType": "sql", "format": int(Format.TABLE), "refId": "var"}
