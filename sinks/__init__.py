"""Where processed data goes: the sink protocol and ClickHouse (server or embedded chDB)."""
