"""Use cases: the domain rules applied to rows, inside the caller's unit of work."""
