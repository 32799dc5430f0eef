"""The Kafka worker: one faust agent over the raw topic that feeds each owned partition's
records to that partition's pipeline core and writes what comes out to ClickHouse, plus a small
agent for durable trust over a topic keyed by user. See docs/worker.md."""
