"""Versioned, self-describing event schemas: the envelope, one module per event type and version,
the registry that discovers them, and the dead-letter model."""
