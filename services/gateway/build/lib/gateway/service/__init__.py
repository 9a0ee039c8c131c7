"""Use cases of the gateway, inside the caller's unit of work."""
