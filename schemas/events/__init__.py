"""One module per event type and version (`<event_type>_v<N>.py`). The registry discovers every
module here; nothing else needs editing to add a type or a version."""
