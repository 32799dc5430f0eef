from tests.fixtures.broker import kafka_broker

__all__ = ["kafka_broker"]
